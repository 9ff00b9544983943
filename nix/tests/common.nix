# The gateway node of the VM tests: every AtomicNix module except the slot storage (the test framework lays out
# the VM's disks); WAN on virtual network 1 and LAN on virtual network 2, named eth0 and eth1 by MAC through the
# interface options. The RAUC CA is made by the test at run time under /var/lib/test-ca.
{ atomicnix }:
{ lib, pkgs, ... }:
{
  imports = [ ../modules ];
  atomicnix.enable = true;
  atomicnix.package = atomicnix;
  atomicnix.storage.enable = false;
  atomicnix.rauc.keyring = "/var/lib/test-ca/ca.cert.pem";
  atomicnix.interfaces.wanMatch.MACAddress = "52:54:00:12:01:01";
  atomicnix.interfaces.lanMatch.MACAddress = "52:54:00:12:02:01";
  virtualisation.vlans = [
    1
    2
  ];
  # Without QEMU's user-mode NIC (the test driver uses its serial backdoor) the two VLAN NICs are the only ones;
  # the framework gives them the MACs 52:54:00:12:<vlan>:<node index>, and the .link files name them eth0 and eth1.
  virtualisation.qemu.networkingOptions = lib.mkForce [ ];
  networking.hostName = "gateway";
  environment.systemPackages = [
    pkgs.openssl
    pkgs.curl
    pkgs.jq
  ];
  # /data is an extra virtual disk so that it survives reboots of the VM (journal, generations).
  virtualisation.emptyDiskImages = [ 1024 ];
  fileSystems."/data" = {
    device = "/dev/vdb";
    fsType = "f2fs";
    autoFormat = true;
    options = [ "fsync_mode=strict" ];
    neededForBoot = true;
  };
  boot.initrd.availableKernelModules = [ "f2fs" ];
}
