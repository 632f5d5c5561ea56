package dev.shardless.cluster.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/grafana-dashboard.json is a dashboard Grafana can import, with a Prometheus data source
 * variable, and it charts every gateway and Shardless metric docs/observability.md lists.
 */
class GrafanaDashboardTest {
  private static final Path DOCS = Path.of("..", "docs");
  private static final Pattern DOCUMENTED =
      Pattern.compile("^\\| `((?:gateway|shardless)_[a-z_]+)` \\|", Pattern.MULTILINE);

  @Test
  void chartsEveryDocumentedMetricFromAChosenPrometheus() throws Exception {
    JsonNode dash = new ObjectMapper().readTree(DOCS.resolve("grafana-dashboard.json").toFile());
    JsonNode datasource = dash.at("/templating/list/0");
    assertThat(datasource.get("type").asText()).isEqualTo("datasource");
    assertThat(datasource.get("query").asText()).isEqualTo("prometheus");

    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : dash.get("panels")) {
      if (!panel.get("type").asText().equals("row")) {
        assertThat(panel.at("/datasource/uid").asText()).isEqualTo("${datasource}");
        panel.get("targets").forEach(t -> exprs.add(t.get("expr").asText()));
      }
    }
    Matcher m = DOCUMENTED.matcher(Files.readString(DOCS.resolve("observability.md")));
    List<String> documented = new ArrayList<>();
    while (m.find()) {
      documented.add(m.group(1));
    }
    assertThat(documented).hasSizeGreaterThan(15);
    for (String metric : documented) {
      assertThat(exprs).as("a panel for " + metric).anyMatch(e -> e.contains(metric));
    }
  }
}
