# Quadlet: Podman runs the provisioned containers from the units that `atomicnix apply` syncs: rootful ones into
# /etc/containers/systemd, rootless ones into appsvc's ~/.config/containers/systemd (appsvc lingers, so its user
# manager runs without a login). Rootless networking is pasta.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.atomicnix;
in
lib.mkIf cfg.enable {
  virtualisation.podman = {
    enable = true;
    # The gateway's own firewall is authoritative; Podman must not add rules for rootful containers, which are
    # host-networked (Network=host) anyway.
    defaultNetwork.settings.dns_enabled = false;
  };
  virtualisation.containers.containersConf.settings.network.default_rootless_network_cmd = "pasta";
  environment.systemPackages = [ pkgs.passt ];

  # /etc/containers/systemd is written at run time (the root is a tmpfs); images and volumes persist on /data.
  systemd.tmpfiles.rules = [
    "d /etc/containers/systemd 0755 root root -"
    "d /var/lib/appsvc/.config/containers/systemd 0755 appsvc users -"
    "d ${cfg.dataDir}/containers 0700 root root -"
    "d ${cfg.dataDir}/containers/appsvc 0700 appsvc users -"
  ];
  virtualisation.containers.storage.settings.storage = {
    driver = "overlay";
    graphroot = "${cfg.dataDir}/containers/storage";
    runroot = "/run/containers/storage";
    rootless_storage_path = "${cfg.dataDir}/containers/appsvc/storage";
  };
}
