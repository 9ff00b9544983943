# Users: `admin` logs in with SSH keys only, from the provisioned /data/config/ssh-authorized-keys/admin; `appsvc`
# runs the rootless containers. No password exists anywhere: the accounts are locked and sshd accepts keys only.
{ config, lib, ... }:
let
  cfg = config.atomicnix;
in
lib.mkIf cfg.enable {
  users.mutableUsers = false;
  users.users = {
    root.hashedPassword = "!";
    admin = {
      isNormalUser = true;
      uid = 1000;
      extraGroups = [
        "wheel"
        "systemd-journal"
      ];
      hashedPassword = "!";
    };
    appsvc = {
      isNormalUser = true;
      uid = 1001;
      home = "/var/lib/appsvc";
      createHome = true;
      linger = true;
      hashedPassword = "!";
      subUidRanges = [
        {
          startUid = 100000;
          count = 65536;
        }
      ];
      subGidRanges = [
        {
          startGid = 100000;
          count = 65536;
        }
      ];
    };
  };
  # admin's sudo needs no password (there is none); only keys get admin in.
  security.sudo.wheelNeedsPassword = false;

  services.openssh = {
    enable = true;
    # The firewall module decides who reaches port 22 (tun0 always, eth1 on the LAN, eth0 only with the flag).
    openFirewall = false;
    authorizedKeysFiles = lib.mkForce [ "${cfg.dataDir}/config/ssh-authorized-keys/%u" ];
    settings = {
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
      PermitRootLogin = "no";
      AllowUsers = [ "admin" ];
      # The keys file lives in a generation directory owned by root, not in admin's home.
      StrictModes = true;
    };
    # Host keys persist on /data: the root is a tmpfs and clients must not see a new key each boot.
    hostKeys = [
      {
        path = "${cfg.dataDir}/ssh/ssh_host_ed25519_key";
        type = "ed25519";
      }
    ];
  };
}
