package dev.shardless.cluster.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point inward: {@code cluster → (invoker, persistence, k8s) → scheduler} (STYLE.md).
 * Plain {@code @Test} methods rather than {@code @ArchTest} fields, which this Surefire version
 * skips silently.
 */
class LayeringTest {
  private static final JavaClasses SHARDLESS =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          // and the modules' test-jars (the k8s test harness runs the invoker's process platform)
          .withImportOption(location -> !location.contains("-tests.jar"))
          .importPackages("dev.shardless");

  @Test
  void schedulerDependsOnNoOtherModule() {
    noClasses()
        .that()
        .resideInAPackage("dev.shardless.scheduler..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.shardless.invoker..",
            "dev.shardless.persistence..",
            "dev.shardless.k8s..",
            "dev.shardless.cluster..")
        .check(SHARDLESS);
  }

  @Test
  void adaptersDependOnNeitherEachOtherNorTheNode() {
    String[] adapters = {"invoker", "persistence", "k8s"};
    for (String adapter : adapters) {
      for (String other : new String[] {"invoker", "persistence", "k8s", "cluster"}) {
        if (!other.equals(adapter)) {
          noClasses()
              .that()
              .resideInAPackage("dev.shardless." + adapter + "..")
              .should()
              .dependOnClassesThat()
              .resideInAPackage("dev.shardless." + other + "..")
              .check(SHARDLESS);
        }
      }
    }
  }

  @Test
  void onlyTheNodeKnowsTheMetricsLibrary() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.shardless.scheduler..",
            "dev.shardless.invoker..",
            "dev.shardless.persistence..",
            "dev.shardless.k8s..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("kamon..")
        .check(SHARDLESS);
  }
}
