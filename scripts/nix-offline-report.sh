#!/usr/bin/env bash
# Says which Nix checks this machine runs and which it cannot, and why. Building the flake needs the nixpkgs
# sources (the input locked in flake.lock); where they cannot be had (no network to fetch them, no nixpkgs channel
# on NIX_PATH), the builds and the NixOS VM tests are listed as not run. Everything that decides the image's
# behaviour is plain Nix in nix/lib and runs here (the system tests in test/nix*.system.test.ts).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NIX_CONFIG='build-users-group ='

if ! command -v nix-instantiate >/dev/null; then
  echo "nix: nix-instantiate is missing (Debian's nix-bin); no Nix check can run"
  exit 0
fi

# The VM tests by name, read without nixpkgs (attribute names do not force the values).
tests=$(nix-instantiate --eval --strict --json -E \
  'builtins.attrNames (import ./nix/tests { pkgs = throw "no nixpkgs"; atomicnix = throw "no nixpkgs"; })' 2>/dev/null |
  tr -d '[]"' | tr ',' ' ')

if nix-instantiate --eval -E '<nixpkgs>' >/dev/null 2>&1; then
  echo "nix: a nixpkgs is on NIX_PATH; with the locked input reachable, run: nix flake check && nix build .#atomicnix"
else
  reason="no nixpkgs here: NIX_PATH has none and the flake input (flake.lock) cannot be fetched without network"
  echo "nix: not run ($reason):"
  echo "  - nix build .#atomicnix (the package; its install steps, schema and fallback render, run here on the npm build)"
  echo "  - nix build .#rootfs .#boot .#boot-env .#disk-image .#bundle-content .#sign-bundle (aarch64-linux)"
  echo "  - nix build .#nixosConfigurations.rock64.config.system.build.toplevel (the NixOS modules evaluated)"
  for t in $tests; do echo "  - nix build .#checks.x86_64-linux.$t (NixOS VM test nix/tests/$t.nix)"; done
fi
echo "nix: run here: nix-instantiate --parse of every .nix file; nix/lib evaluated (partitions, ubootEnv,"
echo "  raucSystemConf, raucManifest, bootScript, qemuBootScript); rauc bundle/info/extract/install with the nix/lib"
echo "  texts; the boot script in Debian's U-Boot on qemu-system-aarch64 with fw_printenv/fw_setenv on the disk image"
