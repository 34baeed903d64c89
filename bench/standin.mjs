/**
 * A stand-in for playbooks/aks-kalypso.yaml while that playbook does not exist: about the same
 * size (15 tasks, 25 vars) and the same features (typed vars with patterns, env and secrets,
 * asserts, kinds, shell tasks with unless/preconditions/undo/outputs, expressions everywhere),
 * so that `bootstrap validate` does comparable work.
 */

const VARS = `vars:
  subscription: { description: Azure subscription id, env: AZURE_SUBSCRIPTION_ID, default: 00000000-0000-0000-0000-000000000000, pattern: "^[0-9a-f-]{36}$" }
  location: { description: Azure region, default: westeurope, pattern: "^[a-z0-9]+$" }
  resource_group: { description: resource group, default: kalypso-rg, pattern: "^[-\\\\w._()]+$" }
  cluster_name: { description: AKS cluster name, default: kalypso, pattern: "^[a-z0-9][a-z0-9-]*[a-z0-9]$" }
  cluster_create: { type: boolean, default: true }
  existing_context: { description: kubeconfig context of an existing cluster, default: "" }
  node_count: { type: integer, default: 3, minimum: 1, maximum: 100 }
  node_size: { default: Standard_DS2_v2 }
  kubernetes_version: { default: "1.29", pattern: "^[0-9]+\\\\.[0-9]+$" }
  github_owner: { description: GitHub user or org, default: octo-org }
  github_token: { secret: true, env: GITHUB_TOKEN, required: false }
  control_plane_repo: { default: kalypso-control-plane }
  gitops_repo: { default: kalypso-gitops }
  repo_visibility: { default: private, enum: [private, public] }
  templates_dir: { default: templates }
  flux_namespace: { default: flux-system }
  flux_version: { default: 2.3.0 }
  kalypso_namespace: { default: kalypso-system }
  kalypso_chart: { default: oci://ghcr.io/microsoft/kalypso-scheduler }
  kalypso_version: { default: 0.1.0 }
  environment: { default: dev, enum: [dev, qa, prod] }
  wait_timeout: { default: 5m }
  verify_attempts: { type: integer, default: 10, minimum: 1 }
  tags: { default: "project=kalypso" }
  dry: { type: boolean, default: false }
assert:
  - that: \${{ vars.cluster_create || vars.existing_context }}
    msg: existing_context is required when cluster_create is false
  - that: \${{ vars.node_count >= 1 }}
    msg: node_count must be at least 1
`;

const TASKS = `tasks:
  prereqs:
    uses: prereqs
    with:
      tools: [ { name: az, min: 2.50.0 }, { name: kubectl, min: 1.25.0 }, { name: gh, min: 2.0.0 }, { name: helm, min: 3.0.0 } ]
  login:
    needs: prereqs
    preconditions:
      - run: az account show --subscription \${{ vars.subscription }}
        msg: log in with az login
    run: az account set --subscription \${{ vars.subscription }}
  resource-group:
    needs: login
    when: \${{ vars.cluster_create }}
    unless: az group show --name \${{ vars.resource_group }}
    run: az group create --name \${{ vars.resource_group }} --location \${{ vars.location }} --tags \${{ vars.tags }}
    undo: az group delete --name \${{ vars.resource_group }} --yes
  aks:
    needs: resource-group
    when: \${{ vars.cluster_create }}
    unless: az aks show -g \${{ vars.resource_group }} -n \${{ vars.cluster_name }}
    run: |
      az aks create -g \${{ vars.resource_group }} -n \${{ vars.cluster_name }} --node-count \${{ vars.node_count }} \\
        --node-vm-size \${{ vars.node_size }} --kubernetes-version \${{ vars.kubernetes_version }}
      echo "context=\${{ vars.cluster_name }}" >> "$BOOTSTRAP_OUTPUT"
    outputs: [context]
    undo: az aks delete -g \${{ vars.resource_group }} -n \${{ vars.cluster_name }} --yes
    timeout: 20m
    retries: 1
  credentials:
    needs: aks
    run: az aks get-credentials -g \${{ vars.resource_group }} -n \${{ vars.cluster_name }} --overwrite-existing
  control-plane-repo:
    needs: prereqs
    env:
      GH_TOKEN: \${{ vars.github_token }}
    unless: gh repo view \${{ vars.github_owner }}/\${{ vars.control_plane_repo }}
    run: gh repo create \${{ vars.github_owner }}/\${{ vars.control_plane_repo }} --\${{ vars.repo_visibility }}
    undo: gh repo delete \${{ vars.github_owner }}/\${{ vars.control_plane_repo }} --yes
  gitops-repo:
    needs: prereqs
    env:
      GH_TOKEN: \${{ vars.github_token }}
    unless: gh repo view \${{ vars.github_owner }}/\${{ vars.gitops_repo }}
    run: gh repo create \${{ vars.github_owner }}/\${{ vars.gitops_repo }} --\${{ vars.repo_visibility }}
    undo: gh repo delete \${{ vars.github_owner }}/\${{ vars.gitops_repo }} --yes
  seed-control-plane:
    needs: control-plane-repo
    cwd: \${{ playbook.dir }}
    run: cp -r \${{ vars.templates_dir }}/control-plane/. "$BOOTSTRAP_STATE_DIR/cp" && echo seeded
  seed-gitops:
    needs: gitops-repo
    cwd: \${{ playbook.dir }}
    run: cp -r \${{ vars.templates_dir }}/gitops/. "$BOOTSTRAP_STATE_DIR/gitops" && echo seeded
  flux:
    needs: [credentials, seed-control-plane, seed-gitops]
    unless: kubectl get ns \${{ vars.flux_namespace }}
    run: flux install --namespace \${{ vars.flux_namespace }} --version v\${{ vars.flux_version }}
    undo: flux uninstall --namespace \${{ vars.flux_namespace }} --silent
    timeout: 5m
  namespace:
    needs: credentials
    unless: kubectl get ns \${{ vars.kalypso_namespace }}
    run: kubectl create namespace \${{ vars.kalypso_namespace }}
    undo: kubectl delete namespace \${{ vars.kalypso_namespace }}
  kalypso:
    needs: [flux, namespace]
    run: |
      helm upgrade --install kalypso \${{ vars.kalypso_chart }} --version \${{ vars.kalypso_version }} \\
        --namespace \${{ vars.kalypso_namespace }} --set controlPlane.repo=\${{ vars.github_owner }}/\${{ vars.control_plane_repo }} \\
        --set gitops.repo=\${{ vars.github_owner }}/\${{ vars.gitops_repo }} --set environment=\${{ vars.environment }} --wait
    undo: helm uninstall kalypso --namespace \${{ vars.kalypso_namespace }}
  rollout:
    needs: kalypso
    run: kubectl rollout status deployment -n \${{ vars.kalypso_namespace }} --timeout \${{ vars.wait_timeout }}
  verify:
    needs: rollout
    when: \${{ !vars.dry }}
    run: for i in $(seq \${{ vars.verify_attempts }}); do kubectl get pods -n \${{ vars.kalypso_namespace }} && break; sleep 1; done
  health:
    needs: verify
    uses: http-check
    with: { url: "http://localhost:8080/healthz", attempts: 3 }
`;

/** The stand-in playbook's YAML text. */
export function standInPlaybook() {
  return `# generated stand-in for playbooks/aks-kalypso.yaml (bench/standin.mjs)\nname: aks-kalypso-standin\ndescription: AKS + GitHub repos + Flux + Kalypso (benchmark stand-in)\n${VARS}${TASKS}`;
}
