package dev.fletch.core.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/expressions.md lists exactly the allowed functions, with their arities. */
class ExpressionsDocTest {
  @Test
  void theDocumentedFunctionsAreTheAllowedOnes() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "expressions.md"));
    Matcher m = Pattern.compile("`([a-z_0-9]+)`/([0-9+-]+)").matcher(doc);
    List<String> documented = new ArrayList<>();
    while (m.find()) {
      documented.add(m.group(1) + "/" + m.group(2));
    }
    List<String> allowed = new ArrayList<>();
    for (Functions.Function f : Functions.all().values()) {
      String arity =
          f.maxArgs() < 0
              ? f.minArgs() + "+"
              : f.minArgs() == f.maxArgs() ? "" + f.minArgs() : f.minArgs() + "-" + f.maxArgs();
      allowed.add(f.name() + "/" + arity);
    }
    assertEquals(allowed, documented);
  }
}
