#!/usr/bin/env bash
# Renders the kind cluster config of playbooks/kind-registry.yaml and the containerd registry
# host file its node mounts. Run by the playbook's `kind-config` task; runnable by hand too:
#
#   render-kind-config.sh OUT_DIR CLUSTER_NAME REGISTRY_PORT DATA_DIR [NODE_PORT]
#
# Writes
#   OUT_DIR/kind-config.yaml                          the kind config (kind create cluster --config)
#   OUT_DIR/certs.d/localhost:PORT/hosts.toml          containerd: localhost:PORT -> http://localhost:NODE_PORT
# and, when $BOOTSTRAP_OUTPUT is set, the outputs `config`, `certs_dir` and `hosts_toml`.
#
# The cluster it describes:
#   - containerPort NODE_PORT (the registry Service's nodePort, 30500) is published on
#     127.0.0.1:REGISTRY_PORT only: an open registry must not face the network;
#   - containerd reads registry hosts from /etc/containerd/certs.d (config_path), which is
#     OUT_DIR/certs.d mounted read-only: inside the node, localhost:REGISTRY_PORT (the name
#     users push to) is the registry's NodePort on the node itself, over plain HTTP, so pods
#     can run the images pushed to http://localhost:REGISTRY_PORT;
#   - DATA_DIR on the host is the node's /var/lib/pallet-registry, the hostPath the chart uses
#     with keep_pvc=true (persistence.hostPath), so the registry's data can outlive the cluster.
set -euo pipefail

if [[ $# -lt 4 || $# -gt 5 ]]; then
  echo "usage: $0 OUT_DIR CLUSTER_NAME REGISTRY_PORT DATA_DIR [NODE_PORT]" >&2
  exit 2
fi
out_dir=$1 cluster_name=$2 registry_port=$3 data_dir=$4 node_port=${5:-30500}

fail() { echo "render-kind-config: $*" >&2; exit 2; }
[[ $cluster_name =~ ^[a-z0-9][a-z0-9-]*[a-z0-9]$ ]] || fail "invalid cluster name: $cluster_name"
[[ $registry_port =~ ^[0-9]+$ ]] && ((registry_port >= 1 && registry_port <= 65535)) || fail "invalid registry port: $registry_port"
[[ $node_port =~ ^[0-9]+$ ]] && ((node_port >= 30000 && node_port <= 32767)) || fail "invalid node port (30000-32767): $node_port"
[[ $data_dir == /* ]] || fail "the data dir must be an absolute path: $data_dir"
[[ $out_dir != *$'\n'* && $data_dir != *$'\n'* ]] || fail "paths must not contain newlines"

mkdir -p -- "$out_dir"
out_dir=$(cd -- "$out_dir" && pwd -P)
certs_dir=$out_dir/certs.d
registry_host=localhost:$registry_port
mkdir -p -- "$certs_dir/$registry_host"

# A YAML double-quoted scalar.
yq() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

hosts_toml=$certs_dir/$registry_host/hosts.toml
cat >"$hosts_toml" <<EOF
# Rendered by bootstrap (playbooks/kind-registry): inside the kind node, $registry_host is the
# registry Service's NodePort on the node itself, over plain HTTP.
server = "http://localhost:$node_port"

[host."http://localhost:$node_port"]
  capabilities = ["pull", "resolve", "push"]
EOF

config=$out_dir/kind-config.yaml
cat >"$config" <<EOF
# Rendered by bootstrap (playbooks/kind-registry/render-kind-config.sh); do not edit.
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: $cluster_name
containerdConfigPatches:
  # Registry hosts come from /etc/containerd/certs.d/<host>/hosts.toml (mounted below).
  - |-
    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "/etc/containerd/certs.d"
nodes:
  - role: control-plane
    extraPortMappings:
      # The registry's NodePort (charts/pallet-registry service.nodePort), published on the
      # loopback address only: http://localhost:$registry_port/v2/ on this machine, nowhere else.
      - containerPort: $node_port
        hostPort: $registry_port
        listenAddress: "127.0.0.1"
        protocol: TCP
    extraMounts:
      # containerd's registry hosts: $registry_host -> http://localhost:$node_port
      - hostPath: $(yq "$certs_dir")
        containerPath: /etc/containerd/certs.d
        readOnly: true
      # The registry's data with keep_pvc=true (chart persistence.hostPath)
      - hostPath: $(yq "$data_dir")
        containerPath: /var/lib/pallet-registry
EOF

if [[ -n ${BOOTSTRAP_OUTPUT:-} ]]; then
  {
    echo "config=$config"
    echo "certs_dir=$certs_dir"
    echo "hosts_toml=$hosts_toml"
  } >>"$BOOTSTRAP_OUTPUT"
fi
echo "kind config: $config"
echo "containerd hosts: $hosts_toml"
