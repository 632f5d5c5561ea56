package dev.shardless.k8s.crd;

import dev.shardless.k8s.Conventions;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The {@code Function} custom resource ({@code shardless.dev/v1}, {@code kubectl get functions}):
 * one function's definition in {@link FunctionResourceSpec} and what the operator observed in
 * {@link FunctionResourceStatus}. Its schema is {@code k8s/deploy/base/function-crd.yaml}; {@link
 * FunctionMapping} converts it to and from the scheduler's {@code FunctionSpec}.
 */
@Group(Conventions.GROUP)
@Version(Conventions.VERSION)
@Kind(Conventions.KIND)
@Plural(Conventions.PLURAL)
@Singular("function")
@ShortNames("fn")
public class FunctionResource extends CustomResource<FunctionResourceSpec, FunctionResourceStatus>
    implements Namespaced {
  private static final long serialVersionUID = 1L;

  @Override
  protected FunctionResourceSpec initSpec() {
    return new FunctionResourceSpec();
  }
}
