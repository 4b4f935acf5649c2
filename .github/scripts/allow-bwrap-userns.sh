#!/usr/bin/env bash
# Make bubblewrap work on an ubuntu-24.04 runner, then prove it does.
#
# Ubuntu 24.04 sets kernel.apparmor_restrict_unprivileged_userns=1: an unprivileged program may create a user
# namespace only when an AppArmor profile with the "userns" rule confines it, so bwrap run by the runner user
# fails ("setting up uid map: Permission denied"). This grants that rule to /usr/bin/bwrap alone, the way Ubuntu
# ships profiles for programs that need it; every other program of the runner keeps the restriction. (The
# blunter alternative, `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`, lifts it for all.)
set -euo pipefail
sudo apt-get update -qq
sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap
if [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)" = 1 ]; then
  sudo tee /etc/apparmor.d/grader-bwrap >/dev/null <<'PROFILE'
abi <abi/4.0>,
include <tunables/global>

profile grader-bwrap /usr/bin/bwrap flags=(unconfined) {
  userns,
}
PROFILE
  sudo apparmor_parser --replace /etc/apparmor.d/grader-bwrap
fi
# The namespaces the grader's sandbox uses; a failure here stops the job before any student code runs.
bwrap --unshare-user --unshare-pid --unshare-net --unshare-ipc --die-with-parent --ro-bind / / true
echo "bubblewrap can create its namespaces"
