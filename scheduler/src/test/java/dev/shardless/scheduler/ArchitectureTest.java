package dev.shardless.scheduler;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layering STYLE.md asks for: the brain stays free of adapters, its policies stay pure.
 *
 * <p>Plain JUnit tests rather than {@code @ArchTest} fields: Surefire 3.5.3 silently skips the
 * latter (TNG/ArchUnit#1442, #1524).
 */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.shardless.scheduler");

  @Test
  void schedulerUsesNoAdapterLibraries() {
    noClasses()
        .that()
        .resideInAPackage("dev.shardless.scheduler..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.fabric8..", "kamon..", "org.apache.pekko.http..")
        .because("Kubernetes, metrics and HTTP live in the adapters that depend on scheduler")
        .check(MAIN);
  }

  @Test
  void policiesArePure() {
    noClasses()
        .that()
        .resideInAPackage("dev.shardless.scheduler.policy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.pekko..", "org.slf4j..")
        .because("policies are pure functions: no actors, no logging (STYLE.md)")
        .check(MAIN);
  }

  @Test
  void policiesDoNotReachIntoTheEntityOrPorts() {
    noClasses()
        .that()
        .resideInAPackage("dev.shardless.scheduler.policy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.shardless.scheduler.entity..", "dev.shardless.scheduler.port..")
        .check(MAIN);
  }
}
