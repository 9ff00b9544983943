# The NixOS VM tests: the checks a Nix machine (with nixpkgs and KVM) runs, `nix flake check` or
# `nix build .#checks.x86_64-linux.<name>`. Each boots the AtomicNix modules in QEMU VMs with a WAN peer and a LAN
# client on their own virtual networks; nothing leaves the test.
{ pkgs, atomicnix }:
let
  args = { inherit pkgs atomicnix; };
in
{
  firewall = import ./firewall.nix args;
  lan-services = import ./lan-services.nix args;
  provisioning = import ./provisioning.nix args;
  update-rollback = import ./update-rollback.nix args;
}
