# Provisioning through the console: an unprovisioned gateway serves the bootstrap API on the LAN only; a LAN client
# posts a config, which becomes the current generation and is applied (the WAN port it lists opens, the admin key
# logs in over SSH from the LAN, passwords never do). After provisioning, an unsigned change is refused.
{ pkgs, atomicnix }:
let
  keys = pkgs.runCommand "atomicnix-test-ssh-key" { nativeBuildInputs = [ pkgs.openssh ]; } ''
    mkdir $out
    ssh-keygen -q -t ed25519 -N "" -C admin@test -f $out/id_ed25519
  '';
  config = pkgs.writeText "config.toml" ''
    version = 1

    [admin]
    ssh_keys = ["${builtins.replaceStrings [ "\n" ] [ "" ] (builtins.readFile "${keys}/id_ed25519.pub")}"]

    [firewall.inbound]
    tcp = [443]

    [container.web]
    privileged = false

    [container.web.Container]
    Image = "localhost/web:test"
    PublishPort = ["10080:8080"]
  '';
in
pkgs.testers.runNixOSTest {
  name = "atomicnix-provisioning";
  nodes = {
    gateway = import ./common.nix { inherit atomicnix; };
    wan = {
      virtualisation.vlans = [ 1 ];
      networking.firewall.enable = false;
      networking.interfaces.eth1.ipv4.addresses = [
        {
          address = "192.0.2.2";
          prefixLength = 24;
        }
      ];
      services.dnsmasq = {
        enable = true;
        settings = {
          interface = "eth1";
          dhcp-range = "192.0.2.100,192.0.2.150,1h";
        };
      };
      environment.systemPackages = [ pkgs.curl ];
    };
    lan = {
      virtualisation.vlans = [ 2 ];
      networking.firewall.enable = false;
      networking.useDHCP = false;
      networking.interfaces.eth1.useDHCP = true;
      environment.systemPackages = [
        pkgs.curl
        pkgs.openssh
      ];
    };
  };
  testScript = ''
    start_all()
    gateway.wait_for_unit("atomicnix-serve.service")
    gateway.wait_until_succeeds("ip -4 addr show eth0 | grep -q 192.0.2.")
    wan_ip = gateway.succeed("ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1").strip()
    lan.wait_until_succeeds("ip -4 addr show eth1 | grep -q 172.20.30.")

    with subtest("the bootstrap API is on the LAN only"):
        lan.wait_until_succeeds("curl -sf http://172.20.30.1:8080/ >/dev/null")
        wan.fail(f"curl -sf -m 5 http://{wan_ip}:8080/")

    with subtest("a config posted from the LAN becomes the current generation and is applied"):
        lan.copy_from_host("${config}", "/tmp/config.toml")
        out = lan.succeed(
            "curl -sf -H 'Content-Type: application/toml' -H 'Origin: http://172.20.30.1:8080' "
            "--data-binary @/tmp/config.toml http://172.20.30.1:8080/api/config"
        )
        assert '"ok":true' in out.replace(" ", ""), out
        gateway.succeed("test -L /data/config && cmp /data/config/config.toml ${config}")
        gateway.wait_until_succeeds("nft list table inet atomicnix | grep -q 'tcp dport 443 accept'")
        gateway.succeed("test -s /data/config/ssh-authorized-keys/admin")

    with subtest("admin logs in with the key from the LAN; no password login"):
        lan.copy_from_host("${keys}/id_ed25519", "/root/id_ed25519")
        lan.succeed("chmod 600 /root/id_ed25519")
        lan.succeed("ssh -o StrictHostKeyChecking=no -o BatchMode=yes -i /root/id_ed25519 admin@172.20.30.1 true")
        lan.fail("ssh -o StrictHostKeyChecking=no -o BatchMode=yes -o PubkeyAuthentication=no admin@172.20.30.1 true")

    with subtest("after provisioning an unsigned change is refused"):
        lan.fail(
            "curl -sf -H 'Content-Type: application/toml' -H 'Origin: http://172.20.30.1:8080' "
            "--data-binary @/tmp/config.toml http://172.20.30.1:8080/api/config"
        )
  '';
}
