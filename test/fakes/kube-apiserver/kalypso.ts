/**
 * The 12 CustomResourceDefinitions of the Kalypso Scheduler (group `scheduler.kalypso.io`,
 * version `v1alpha1`, namespaced, with a `status` subresource), as test fixtures.
 */
import type { Obj } from './objects.js';

export const KALYPSO_GROUP = 'scheduler.kalypso.io';

/** plural -> kind of the Kalypso CRDs. */
export const KALYPSO_PLURALS: Record<string, string> = {
  assignments: 'Assignment',
  assignmentpackages: 'AssignmentPackage',
  baserepoes: 'BaseRepo',
  clustertypes: 'ClusterType',
  configschemas: 'ConfigSchema',
  deploymenttargets: 'DeploymentTarget',
  environments: 'Environment',
  gitopsrepoes: 'GitOpsRepo',
  schedulingpolicies: 'SchedulingPolicy',
  templates: 'Template',
  workloadregistrations: 'WorkloadRegistration',
  workloads: 'Workload',
};

/** The CRD objects (apiextensions.k8s.io/v1), without status. */
export function kalypsoCrds(): Obj[] {
  return Object.entries(KALYPSO_PLURALS).map(([plural, kind]) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${KALYPSO_GROUP}`, annotations: { 'controller-gen.kubebuilder.io/version': 'v0.14.0' } },
    spec: {
      group: KALYPSO_GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  }));
}
