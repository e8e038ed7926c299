package dev.fletch.core.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.DefinitionException;
import dev.fletch.core.DefinitionJson;
import dev.fletch.core.Problem;
import dev.fletch.core.model.CsvOptions;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoLoaderTest {
  @TempDir Path dir;

  @Test
  void loadsTheValidRepositoryIntoTheModel() {
    RepoFiles.valid(dir)
        .write(".fletch/ignored.yaml", "not: [valid")
        .write("fletch_settings.yaml", "serve: {http_port: 1}\n");
    FeatureRepo repo = RepoLoader.load(dir.resolve("x/..")); // normalized

    assertEquals(dir.toAbsolutePath().normalize(), repo.root());
    assertEquals("payments", repo.project());
    assertEquals(
        List.of("customer", "merchant"), repo.entities().stream().map(e -> e.name()).toList());
    assertEquals(
        List.of(new JoinKey("customer_id", ValueType.INT64)), repo.entity("customer").joinKeys());
    assertEquals(ValueType.STRING, repo.entity("merchant").joinKeys().get(0).type());
    assertEquals(Map.of("team", "risk"), repo.entity("customer").tags());

    var source = repo.source("transactions");
    assertEquals(SourceFormat.CSV, source.format());
    assertEquals("data/transactions.csv", source.path());
    assertEquals("created_ts", source.createdTimestampField());
    assertEquals(Map.of("amt", "amount"), source.fieldMapping());

    FeatureView profile = repo.view("customer_profile");
    assertEquals(Duration.ofDays(30), profile.ttl());
    assertEquals(Duration.ofHours(1), profile.schedule());
    assertTrue(profile.online());
    assertEquals(
        List.of("age", "avg_amount", "embedding"),
        profile.features().stream().map(f -> f.name()).toList());
    assertEquals(ValueType.FLOAT_LIST, profile.feature("embedding").orElseThrow().type());
    assertEquals(
        "amount / nullif(txn_count, 0)", profile.feature("avg_amount").orElseThrow().expression());
    assertEquals("risk@example.com", profile.owner());

    FeatureView merchant = repo.view("merchant_stats");
    assertFalse(merchant.online());
    assertTrue(merchant.ttl().isZero());
    assertEquals(null, merchant.schedule());
    assertEquals(
        List.of("customer_profile:*", "merchant_stats:txn_count"),
        repo.service("fraud_v1").features());
  }

  @Test
  void definitionJsonRoundTripAndStableContentHash() {
    RepoFiles files = RepoFiles.valid(dir);
    FeatureRepo repo = RepoLoader.load(dir);
    FeatureRepo back = DefinitionJson.read(DefinitionJson.write(repo), FeatureRepo.class);
    assertEquals(repo.withRoot(null), back);

    String hash = DefinitionJson.contentHash(repo);
    assertEquals(hash, DefinitionJson.contentHash(RepoLoader.load(dir)));
    String viewHash = DefinitionJson.contentHash(repo.view("customer_profile"));
    String otherViewHash = DefinitionJson.contentHash(repo.view("merchant_stats"));

    files.edit("b_views.yaml", "ttl: 30d", "ttl: 31d");
    FeatureRepo changed = RepoLoader.load(dir);
    assertNotEquals(hash, DefinitionJson.contentHash(changed));
    assertNotEquals(viewHash, DefinitionJson.contentHash(changed.view("customer_profile")));
    // an untouched object keeps its hash, so plan sees it as unchanged
    assertEquals(otherViewHash, DefinitionJson.contentHash(changed.view("merchant_stats")));
  }

  @Test
  void unknownKeySuggestsTheClosestKnownKey() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit(
                "b_views.yaml",
                "    source: transactions\n    ttl",
                "    sorce: transactions\n    ttl");
    Problem p =
        f.expectProblem("b_views.yaml", "sorce", "unknown key 'sorce' (did you mean 'source'?)");
    assertTrue(p.message().startsWith("feature view 'customer_profile'"), p.message());
    // the missing source is reported too, at the start of the view
    f.expectProblem("b_views.yaml", "name: customer_profile", "missing required key 'source'");
  }

  @Test
  void unknownTopLevelKeyAndNestedKey() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("a_entities.yaml", "sources:", "source:")
            .edit("b_views.yaml", "{name: age, type: INT32}", "{name: age, typ: INT32}");
    f.expectProblem("a_entities.yaml", "source:", "unknown key 'source' (did you mean 'sources'?)");
    f.expectProblem("b_views.yaml", "typ:", "unknown key 'typ' (did you mean 'type'?)");
  }

  @Test
  void missingRequiredKey() {
    RepoFiles f =
        RepoFiles.valid(dir).edit("a_entities.yaml", "    timestamp_field: event_ts\n", "");
    f.expectProblem(
        "a_entities.yaml",
        "name: transactions",
        "source 'transactions': missing required key 'timestamp_field'");
  }

  @Test
  void wrongValueKind() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("b_views.yaml", "entities: [customer]", "entities: customer")
            .edit("a_entities.yaml", "timestamp_field: event_ts", "timestamp_field: [event_ts]");
    f.expectProblem("b_views.yaml", "customer\n", "'entities' must be a list, found 'customer'");
    f.expectProblem("a_entities.yaml", "[event_ts]", "'timestamp_field' must be a single value");
  }

  @Test
  void duplicateNamesAcrossFilesNameBothPlaces() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .write(
                "c_more.yaml",
                "entities:\n  - name: customer\n    join_keys: [{name: id, type: INT64}]\n");
    int[] first = f.at("a_entities.yaml", "customer", 1);
    Problem p = f.expectProblem("c_more.yaml", "customer", "duplicate entity 'customer'");
    assertTrue(
        p.message().contains("also defined at a_entities.yaml:" + first[0] + ":" + first[1]),
        p.message());
  }

  @Test
  void duplicateKeyInOneMapping() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("a_entities.yaml", "    type: csv\n", "    type: csv\n    type: parquet\n");
    f.expectProblem("a_entities.yaml", "type: parquet", "duplicate key 'type'");
  }

  @Test
  void danglingReferencesFromViewsAndServices() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("b_views.yaml", "entities: [merchant]", "entities: [merchnt]")
            .edit(
                "b_views.yaml",
                "    source: transactions\n    online",
                "    source: txns\n    online")
            .edit("b_views.yaml", "merchant_stats:txn_count", "merchant_stats:txn_cnt")
            .edit("b_views.yaml", "\"customer_profile:*\"", "\"nope:*\"");
    f.expectProblem(
        "b_views.yaml", "merchnt", "unknown entity 'merchnt' (did you mean 'merchant'?)");
    f.expectProblem("b_views.yaml", "txns", "unknown source 'txns'");
    f.expectProblem(
        "b_views.yaml",
        "\"merchant_stats:txn_cnt\"",
        "feature view 'merchant_stats' has no feature 'txn_cnt' (did you mean 'txn_count'?)");
    f.expectProblem("b_views.yaml", "\"nope:*\"", "unknown feature view 'nope'");
  }

  @Test
  void viewEntityProblems() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("b_views.yaml", "entities: [customer]", "entities: [customer, customer]")
            .edit(
                "a_entities.yaml",
                "{name: merchant_id, type: string}",
                "{name: customer_id, type: INT64}")
            .edit("b_views.yaml", "entities: [merchant]", "entities: [merchant, customer]");
    f.expectProblem("b_views.yaml", "customer]", "entity 'customer' is listed twice");
    f.expectProblem(
        "b_views.yaml",
        "customer]",
        2,
        "entities 'merchant' and 'customer' share the join key name");
  }

  @Test
  void joinKeyWithoutType() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("a_entities.yaml", "[{name: customer_id, type: INT64}]", "[customer_id]");
    f.expectProblem("a_entities.yaml", "customer_id]", "join key 'customer_id' needs a type");
  }

  @Test
  void badTypes() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("b_views.yaml", "{name: age, type: INT32}", "{name: age, type: INTEGER}")
            .edit("a_entities.yaml", "type: string}", "type: DOUBLE}");
    f.expectProblem("b_views.yaml", "INTEGER", "unknown type 'INTEGER' (did you mean 'INT32'?)");
    // By meaning, not by spelling: FLOAT64 is 64 bits, a DOUBLE, though FLOAT is closer in letters.
    f.edit("b_views.yaml", "{name: avg_amount, type: DOUBLE", "{name: avg_amount, type: FLOAT64");
    f.expectProblem("b_views.yaml", "FLOAT64", "unknown type 'FLOAT64' (did you mean 'DOUBLE'?)");
    f.expectProblem("a_entities.yaml", "DOUBLE", "join key type must be INT32, INT64 or STRING");
  }

  @Test
  void badDurations() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("b_views.yaml", "ttl: 30d", "ttl: -1d")
            .edit("b_views.yaml", "schedule: 1h", "schedule: 1 hour");
    f.expectProblem("b_views.yaml", "-1d", "negative duration");
    f.expectProblem("b_views.yaml", "1 hour", "bad duration '1 hour'");
  }

  @Test
  void latenessIsAViewDurationWithADefaultThatFollowsTheSource() {
    RepoFiles f = RepoFiles.valid(dir);
    FeatureView view = RepoLoader.load(dir).view("customer_profile");
    assertEquals(null, view.lateness());
    // the source has a created_timestamp_field: late rows are found by it, nothing re-read
    assertEquals(Duration.ZERO, view.lateness(true));
    assertEquals(FeatureView.DEFAULT_LATENESS, view.lateness(false));
    f.edit("b_views.yaml", "ttl: 30d", "ttl: 30d\n    lateness: 2d");
    FeatureView late = RepoLoader.load(dir).view("customer_profile");
    assertEquals(Duration.ofDays(2), late.lateness(true));
    assertTrue(DefinitionJson.write(late).contains("\"lateness\":\"PT48H\""));
    // a view without one stores no key: its content hash is what it was before the key existed
    assertFalse(DefinitionJson.write(view).contains("lateness"));
    f.edit("b_views.yaml", "lateness: 2d", "lateness: soon");
    f.expectProblem("b_views.yaml", "soon", "bad duration 'soon'");
  }

  /** #24 item 5: a CSV source's csv options, read into the model and checked where written. */
  @Test
  void csvOptionsAreReadAndEachMistakeIsLocated() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit(
                "a_entities.yaml",
                "    description: card transactions\n",
                "    description: card transactions\n"
                    + "    csv:\n"
                    + "      delimiter: \";\"\n"
                    + "      quote: \"'\"\n"
                    + "      null_strings: [\"\", NA]\n"
                    + "      types: {amount: double, merchant_id: string}\n");
    CsvOptions csv = RepoLoader.load(dir).source("transactions").csv();
    assertEquals(
        new CsvOptions(
            ";",
            null,
            "'",
            null,
            List.of("", "NA"),
            Map.of("amount", ValueType.DOUBLE, "merchant_id", ValueType.STRING)),
        csv);
    String json = DefinitionJson.write(RepoLoader.load(dir).source("transactions"));
    assertTrue(json.contains("\"nullStrings\":[\"\",\"NA\"]"), json);
    assertEquals("null_strings", DefinitionJson.yamlKey("nullStrings"));

    f.edit("a_entities.yaml", "delimiter: \";\"", "delimiter: \";;\"")
        .edit("a_entities.yaml", "quote: \"'\"", "quote: \";\"\n      header: maybe\n      sep: x")
        .edit("a_entities.yaml", "amount: double", "amount: decimal")
        .edit("a_entities.yaml", "merchant_id: string", "merchant_id: bytes");
    f.expectProblem("a_entities.yaml", "\";;\"", "'delimiter': one character, not ';;'");
    f.expectProblem("a_entities.yaml", "maybe", "'header'");
    f.expectProblem("a_entities.yaml", "sep", "unknown key 'sep'");
    f.expectProblem("a_entities.yaml", "decimal", "column 'amount': a CSV column is read as");
    f.expectProblem("a_entities.yaml", "bytes", "not 'bytes'");
  }

  @Test
  void csvOptionsOnAParquetSourceAreAProblem() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("a_entities.yaml", "type: csv", "type: parquet")
            .edit(
                "a_entities.yaml",
                "    description: card transactions\n",
                "    description: card transactions\n    csv: {delimiter: \";\"}\n");
    f.expectProblem("a_entities.yaml", "csv: {", "'csv' options are for sources of type csv");
  }

  @Test
  void featureNameCollisionInsideAService() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("b_views.yaml", "{name: txn_count, type: int64}", "{name: age, type: int64}")
            .edit("b_views.yaml", "merchant_stats:txn_count", "merchant_stats:age");
    Problem p =
        f.expectProblem(
            "b_views.yaml",
            "\"merchant_stats:age\"",
            "feature name 'age' comes from both 'customer_profile'");
    assertTrue(p.message().startsWith("feature service 'fraud_v1'"), p.message());
  }

  @Test
  void sourcePathThatMatchesNoFile() {
    RepoFiles f =
        RepoFiles.valid(dir).edit("a_entities.yaml", "data/transactions.csv", "data/*.parquet");
    f.expectProblem("a_entities.yaml", "data/*.parquet", "path 'data/*.parquet' matches no file");
    // machines that only register definitions may skip the check
    assertEquals("data/*.parquet", RepoLoader.load(dir, false).source("transactions").path());
  }

  @Test
  void sourcePathGlobFolderAndUrlAreAccepted() {
    RepoFiles.valid(dir).edit("a_entities.yaml", "data/transactions.csv", "data/*.csv");
    RepoLoader.load(dir);
    RepoFiles.valid(dir).edit("a_entities.yaml", "data/transactions.csv", "data");
    RepoLoader.load(dir);
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("a_entities.yaml", "data/transactions.csv", "s3://bucket/t/*.csv");
    // object storage is read only where the operator allows it
    f.expectProblem(
        "a_entities.yaml",
        "s3://bucket/t/*.csv",
        "is s3:// storage that offline_store.allowed_directories in fletch_settings.yaml does not"
            + " list");
    f.write("fletch_settings.yaml", "offline_store: {allowed_directories: [\"s3://bucket/t\"]}\n");
    RepoLoader.load(dir);
    f.edit("a_entities.yaml", "s3://bucket/t/*.csv", "s3://bucket/tother/*.csv");
    f.expectProblem("a_entities.yaml", "s3://bucket/tother", "does not list");
  }

  @Test
  void sourcePathsStayInsideTheRepositoryOrAnAllowedFolder(@TempDir Path outside) throws Exception {
    Files.writeString(outside.resolve("t.csv"), RepoFiles.DATA);
    String relative = dir.relativize(outside.resolve("t.csv")).toString();
    for (String path : List.of("/etc/passwd", "../../../../etc/passwd", relative, "data/../../x")) {
      RepoFiles f = RepoFiles.valid(dir).edit("a_entities.yaml", "data/transactions.csv", path);
      f.expectProblem("a_entities.yaml", path, "leaves the repository");
      // also where the data is not expected to be present
      assertThrows(DefinitionException.class, () -> RepoLoader.load(dir, false));
    }
    RepoFiles f = RepoFiles.valid(dir).edit("a_entities.yaml", "data/transactions.csv", relative);
    f.write(
        "fletch_settings.yaml",
        "offline_store: {allowed_directories: [\"" + outside.toAbsolutePath() + "\"]}\n");
    assertEquals(relative, RepoLoader.load(dir).source("transactions").path());
  }

  @Test
  void symbolicLinksOutOfTheRepositoryAreRefused(@TempDir Path secrets) throws Exception {
    Files.writeString(secrets.resolve("t.csv"), RepoFiles.DATA);
    RepoFiles f = RepoFiles.valid(dir);
    Files.createSymbolicLink(dir.resolve("data/linked.csv"), secrets.resolve("t.csv"));
    f.edit("a_entities.yaml", "data/transactions.csv", "data/linked.csv");
    f.expectProblem("a_entities.yaml", "data/linked.csv", "goes through a symbolic link to");
    // a link below a folder or glob source is found too
    f.edit("a_entities.yaml", "data/linked.csv", "data/*.csv");
    f.expectProblem("a_entities.yaml", "data/*.csv", "is a symbolic link to");
    Files.delete(dir.resolve("data/linked.csv"));
    Files.createSymbolicLink(dir.resolve("data/outside"), secrets);
    f.expectProblem("a_entities.yaml", "data/*.csv", "is a symbolic link to");
    Files.delete(dir.resolve("data/outside"));
    // a loop
    Files.createSymbolicLink(dir.resolve("data/loop"), dir.resolve("data"));
    f.expectProblem("a_entities.yaml", "data/*.csv", "(a loop)");
    Files.delete(dir.resolve("data/loop"));
    // a link that stays inside is fine
    Files.createSymbolicLink(dir.resolve("data/again.csv"), dir.resolve("data/transactions.csv"));
    RepoLoader.load(dir);
  }

  @Test
  void namesMustBeIdentifiers() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("b_views.yaml", "name: merchant_stats", "name: \"merchant-stats\"")
            .edit("b_views.yaml", "merchant_stats:txn_count", "merchant-stats:txn_count")
            .edit("b_views.yaml", "{name: age,", "{name: \"age; drop table x\",");
    f.expectProblem("b_views.yaml", "\"merchant-stats\"", "'merchant-stats' is not a valid name");
    f.expectProblem("b_views.yaml", "\"age; drop", "'age; drop table x' is not a valid name");
  }

  @Test
  void expressionsAreCheckedWhereTheyAreWritten() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit(
                "b_views.yaml",
                "expression: \"amount / nullif(txn_count, 0)\"",
                "expression: \"amount + read_csv('/etc/passwd')\"")
            .edit(
                "b_views.yaml",
                "{name: txn_count, type: int64}",
                "{name: txn_count, type: int64, expression: '1) AS x FROM t; COPY t TO ''/tmp/p''"
                    + " --'}");
    // the column is that of the offending token inside the quoted expression
    f.expectProblem(
        "b_views.yaml",
        "read_csv(",
        "expression 'amount + read_csv('/etc/passwd')' uses read_csv(), which is not allowed");
    f.expectProblem("b_views.yaml", ") AS x FROM", "unexpected ')'");
  }

  @Test
  void expressionsAreStoredInCanonicalForm() {
    RepoFiles.valid(dir)
        .edit(
            "b_views.yaml",
            "expression: \"amount / nullif(txn_count, 0)\"",
            "expression: \"(Amount)/NULLIF(txn_count,0)::double\"");
    assertEquals(
        "Amount / CAST(nullif(txn_count, 0) AS DOUBLE)",
        RepoLoader.load(dir)
            .view("customer_profile")
            .feature("avg_amount")
            .orElseThrow()
            .expression());
  }

  @Test
  void hostileYamlIsRefusedWithAClearError() throws Exception {
    RepoFiles f = RepoFiles.valid(dir);
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      char prev = (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 10; i++) {
        bomb.append(i == 0 ? "" : ", ").append('*').append(prev);
      }
      bomb.append("]\n");
    }
    f.write("c_bomb.yaml", bomb.toString());
    assertTrue(problemIn(f, "c_bomb.yaml").contains("aliases"), problemIn(f, "c_bomb.yaml"));
    Files.delete(dir.resolve("c_bomb.yaml"));

    // larger than any definitions file: refused before it is read
    try (var out = Files.newBufferedWriter(dir.resolve("d_big.yaml"))) {
      String line = "# " + "x".repeat(1000) + "\n";
      for (int i = 0; i < 17 * 1024; i++) {
        out.write(line);
      }
    }
    assertTrue(
        problemIn(f, "d_big.yaml")
            .contains("1:1: the file is 16.7 MB; a definitions file may be at"),
        problemIn(f, "d_big.yaml"));
    Files.delete(dir.resolve("d_big.yaml"));

    f.write("e_deep.yaml", "x: " + "[".repeat(500) + "]".repeat(500) + "\n");
    assertTrue(problemIn(f, "e_deep.yaml").contains("YAML"), problemIn(f, "e_deep.yaml"));
  }

  private static String problemIn(RepoFiles f, String file) {
    return f.problems().stream()
        .filter(p -> p.file().equals(file))
        .map(Problem::toString)
        .findFirst()
        .orElse("no problem in " + file);
  }

  @Test
  void aByteThatIsNotUtf8IsLocated() throws Exception {
    RepoFiles f = RepoFiles.valid(dir);
    Files.write(
        dir.resolve("c_latin1.yaml"),
        "feature_services:\n  - name: caf\u00e9\n"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertTrue(
        problemIn(f, "c_latin1.yaml")
            .contains("c_latin1.yaml:2:14: the file is not UTF-8: byte 0xE9"),
        problemIn(f, "c_latin1.yaml"));
  }

  @Test
  void durationsAreBounded() {
    RepoFiles f =
        RepoFiles.valid(dir).edit("b_views.yaml", "ttl: 30d", "ttl: 9223372036854775808ms");
    f.expectProblem("b_views.yaml", "9223372036854775808ms", "is too long: at most 36500d");
    f.edit("b_views.yaml", "ttl: 9223372036854775808ms", "ttl: 106751991167300d");
    f.expectProblem("b_views.yaml", "106751991167300d", "at most 36500d");
    f.edit("b_views.yaml", "ttl: 106751991167300d", "ttl: 36500d");
    assertEquals(Duration.ofDays(36500), RepoLoader.load(dir).view("customer_profile").ttl());
  }

  @Test
  void featureNamedLikeAJoinKeyOrTheTimestamp() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("b_views.yaml", "{name: age, type: INT32}", "{name: customer_id, type: INT64}")
            .edit(
                "b_views.yaml",
                "{name: txn_count, type: int64}",
                "{name: event_ts, type: TIMESTAMP}");
    f.expectProblem(
        "b_views.yaml", "customer_id", "has the name of a join key of entity 'customer'");
    f.expectProblem("b_views.yaml", "event_ts", "has the name of a timestamp field of source");
  }

  @Test
  void emptyFeatureLists() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit(
                "b_views.yaml",
                "    features:\n      - {name: txn_count, type: int64}\n",
                "    features: []\n")
            .edit("b_views.yaml", "merchant_stats:txn_count", "customer_profile:age")
            .edit(
                "b_views.yaml",
                "features: [\"customer_profile:*\", \"customer_profile:age\"]",
                "features: []");
    f.expectProblem("b_views.yaml", "[]\nfeature_services", "'features' is empty: a feature view");
    f.expectProblem(
        "b_views.yaml", "[]\n    owner: risk\n", "'features' is empty: a feature service");
  }

  @Test
  void exactlyOneProject() {
    RepoFiles two = RepoFiles.valid(dir).write("c.yaml", "project: other\n");
    two.expectProblem("c.yaml", "other", "more than one 'project'");

    RepoFiles none =
        RepoFiles.valid(dir.resolve("none")).edit("a_entities.yaml", "project: payments\n", "");
    List<Problem> problems = none.problems();
    RepoFiles.assertSingle(problems);
    assertEquals("a_entities.yaml", problems.get(0).file());
    assertTrue(problems.get(0).message().contains("no 'project"));
  }

  @Test
  void aFileThatIsNotAMappingIsAProblem() {
    RepoFiles f = RepoFiles.valid(dir).write("c_list.yaml", "# entities\n- name: x\n");
    f.expectProblem(
        "c_list.yaml", "- name", "a definitions file is a mapping with the keys project");
  }

  @Test
  void yamlSyntaxErrorIsLocated() {
    RepoFiles f =
        RepoFiles.valid(dir).write("c_broken.yaml", "entities:\n  - name: [x\n  - name: y\n");
    List<Problem> problems = f.problems();
    Problem p =
        problems.stream().filter(x -> x.file().equals("c_broken.yaml")).findFirst().orElseThrow();
    assertTrue(p.message().startsWith("YAML syntax error"), p.message());
    assertTrue(p.line() >= 2 && p.column() >= 1, p.toString());
  }

  @Test
  void reportsEveryProblemAtOnceSortedByPlace() {
    RepoFiles f =
        RepoFiles.valid(dir)
            .edit("b_views.yaml", "ttl: 30d", "ttl: soon")
            .edit("b_views.yaml", "type: INT32", "type: INT33")
            .edit("a_entities.yaml", "type: csv", "type: orc")
            .edit("b_views.yaml", "owner: risk\n", "ownr: risk\n");
    List<Problem> problems = f.problems();
    assertEquals(4, problems.size(), problems::toString);
    List<Problem> sorted =
        problems.stream()
            .sorted(
                Comparator.comparing(Problem::file)
                    .thenComparingInt(Problem::line)
                    .thenComparingInt(Problem::column))
            .toList();
    assertEquals(sorted, problems);
  }

  @Test
  void aFolderWithoutYamlIsNotARepository() {
    List<Problem> problems = new RepoFiles(dir).write("data/x.csv", "a\n").problems();
    RepoFiles.assertSingle(problems);
    assertTrue(problems.get(0).message().contains("no *.yaml files"));
  }
}
