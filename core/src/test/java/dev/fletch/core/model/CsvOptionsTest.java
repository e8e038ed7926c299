package dev.fletch.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.DefinitionJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CSV options sent another way than YAML (the registry's HTTP apply) obey the same rules. */
class CsvOptionsTest {
  @Test
  void theRulesHoldWhateverTheTransport() {
    assertEquals(
        List.of(),
        new CsvOptions("\t", false, "", "\\", List.of("", "NA"), Map.of("a", ValueType.TIMESTAMP))
            .problems());
    CsvOptions bad =
        new CsvOptions(
            ",,",
            null,
            "\n",
            null,
            List.of("x\ny"),
            Map.of("b", ValueType.FLOAT_LIST, "", ValueType.INT64));
    List<String> problems = bad.problems();
    assertTrue(problems.contains("delimiter: one character, not ',,'"), problems.toString());
    assertTrue(problems.contains("quote: a line break cannot be the quote"), problems.toString());
    assertTrue(
        problems.stream()
            .anyMatch(p -> p.startsWith("null_strings: a null string has a line break")),
        problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("types[b]:")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("types: a column name is empty")));
    assertEquals(
        List.of("delimiter: the delimiter and the quote are both ';'"),
        new CsvOptions(";", null, ";", null, null, null).problems());

    Source parquet =
        new Source(
            "s", SourceFormat.PARQUET, "x.parquet", "ts", null, Map.of(), null, null, null, bad);
    FeatureRepo repo =
        new FeatureRepo("p", List.of(), List.of(parquet), List.of(), List.of(), null);
    List<String> found = new ArrayList<>();
    ModelChecks.check(repo, found::add);
    assertTrue(
        found.contains("sources[s].csv: options for sources of type csv only"), found.toString());
    assertTrue(
        found.contains("sources[s].csv.delimiter: one character, not ',,'"), found.toString());
  }

  @Test
  void storedFormIsStableAndOmitsWhatIsNotSet() {
    Source plain = new Source("s", SourceFormat.CSV, "x.csv", "ts", null, Map.of(), null);
    assertTrue(!DefinitionJson.write(plain).contains("\"csv\""), "no key, so no hash change");
    CsvOptions o = new CsvOptions(";", null, null, null, List.of("NA"), Map.of());
    String json = DefinitionJson.write(o);
    assertEquals("{\"delimiter\":\";\",\"nullStrings\":[\"NA\"]}", json);
    assertEquals(o, DefinitionJson.read(json, CsvOptions.class));
  }
}
