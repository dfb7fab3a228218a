#!/usr/bin/env bash
# Creates the compose file's Redis Cluster (profile `cluster`): 3 masters
# and 3 replicas out of redis-node-0..5 (port 700i each). Compose runs it
# once all six answer PING. Safe to run again: an existing cluster is left
# as it is.
#
# redis-cli --cluster create wants IP addresses (CLUSTER MEET refuses
# hostnames), so the service names are resolved here; clients still see
# the names, which the nodes announce (cluster-announce-hostname).
set -euo pipefail

nodes=()
for i in 0 1 2 3 4 5; do
  ip=$(getent hosts "redis-node-$i" | awk '{print $1; exit}')
  if [ -z "$ip" ]; then
    echo "redis-cluster-init: cannot resolve redis-node-$i" >&2
    exit 1
  fi
  nodes+=("$ip:700$i")
done

if redis-cli -h redis-node-0 -p 7000 cluster info | grep -q '^cluster_state:ok'; then
  echo "redis-cluster-init: the cluster exists already"
  exit 0
fi

redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes

# Wait (bounded) until every node agrees the cluster is up.
for _ in $(seq 1 60); do
  up=0
  for i in 0 1 2 3 4 5; do
    if redis-cli -h "redis-node-$i" -p "700$i" cluster info | grep -q '^cluster_state:ok'; then
      up=$((up + 1))
    fi
  done
  if [ "$up" -eq 6 ]; then
    echo "redis-cluster-init: cluster_state:ok on all 6 nodes"
    exit 0
  fi
  sleep 1
done
echo "redis-cluster-init: the cluster did not reach cluster_state:ok within 60 s" >&2
exit 1
