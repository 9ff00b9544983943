# Update, rollback and logs that survive it, with the real RAUC U-Boot backend: the slots are extra virtual disks
# and the boot-count environment lives in the raw region of another, through the fw_env.config of nix/lib. A bundle
# signed by a CA made in the VM at run time is installed into the inactive slot pair (BOOT_ORDER puts it first with
# a fresh count); a bundle of another CA and one with a wrong compatible are refused; mark-bad of the new slot puts
# the old one first again (the rollback the boot script then performs, as the offline U-Boot tests show); and a
# journal line written before the reboot is still there after it, on /data.
{ pkgs, atomicnix }:
pkgs.testers.runNixOSTest {
  name = "atomicnix-update-rollback";
  nodes.gateway =
    { lib, ... }:
    {
      imports = [ (import ./common.nix { inherit atomicnix; }) ];
      # vdb: /data; vdc..vdf: boot A/B, rootfs A/B; vdg: the environment disk.
      virtualisation.emptyDiskImages = lib.mkForce [
        1024
        64
        64
        256
        256
        32
      ];
      atomicnix.bootEnvDevice = "/dev/vdg";
      # The slots of the nix/lib system.conf are found by partition label; here they are whole virtual disks.
      services.udev.extraRules = ''
        KERNEL=="vdc", SYMLINK+="disk/by-partlabel/boot-a"
        KERNEL=="vdd", SYMLINK+="disk/by-partlabel/boot-b"
        KERNEL=="vde", SYMLINK+="disk/by-partlabel/rootfs-a"
        KERNEL=="vdf", SYMLINK+="disk/by-partlabel/rootfs-b"
      '';
      boot.kernelParams = [ "rauc.slot=A" ];
      environment.systemPackages = [
        pkgs.squashfsTools
        pkgs.dosfstools
        pkgs.rauc
        pkgs.libubootenv
        pkgs.ubootTools
      ];
    };
  testScript = ''
    import json

    gateway.start()
    gateway.wait_for_unit("multi-user.target")

    with subtest("a throw-away CA, made here at run time"):
        gateway.succeed(
            "mkdir -p /var/lib/test-ca && cd /var/lib/test-ca && "
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.cert.pem "
            "-subj '/CN=test CA' -days 1 && "
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout other.key -out other.pem "
            "-subj '/CN=other CA' -days 1"
        )

    with subtest("a freshly flashed environment"):
        gateway.succeed(
            "printf 'BOOT_ORDER=A B\\nBOOT_A_LEFT=3\\nBOOT_B_LEFT=3\\nBOOT_COMMITTED=A\\n' > /tmp/env.txt && "
            "mkenvimage -r -s 0x8000 -o /tmp/env.bin /tmp/env.txt && "
            "off=$(awk 'NR==2{print $2}' /etc/fw_env.config) && red=$(awk 'NR==3{print $2}' /etc/fw_env.config) && "
            "dd if=/tmp/env.bin of=/dev/vdg bs=1 seek=$((off)) conv=notrunc status=none && "
            "dd if=/tmp/env.bin of=/dev/vdg bs=1 seek=$((red)) conv=notrunc status=none"
        )
        gateway.succeed("fw_printenv BOOT_ORDER | grep -qx 'BOOT_ORDER=A B'")
        gateway.systemctl("restart rauc.service")
        gateway.wait_for_unit("rauc.service")

    def bundle(name, version, compatible="atomicnix-rock64", key="ca.key", cert="ca.cert.pem"):
        gateway.succeed(
            f"rm -rf /tmp/{name} && mkdir -p /tmp/{name}/root /tmp/{name}/c && "
            f"head -c 1M /dev/urandom > /tmp/{name}/root/blob && "
            f"mksquashfs /tmp/{name}/root /tmp/{name}/c/rootfs.squashfs -comp zstd -quiet -noappend"
        )
        gateway.succeed(f"mkfs.vfat -C /tmp/{name}/c/boot.vfat 4096")
        gateway.succeed(
            f"sed -e 's/^version=.*/version={version}/' -e 's/^compatible=.*/compatible={compatible}/' "
            f"${pkgs.writeText "manifest.raucm" ((import ../lib { }).raucManifest { version = "0"; })} > /tmp/{name}/c/manifest.raucm"
        )
        gateway.succeed(
            f"rauc bundle --cert /var/lib/test-ca/{cert} --key /var/lib/test-ca/{key} /tmp/{name}/c /tmp/{name}.raucb"
        )
        return f"/tmp/{name}.raucb"

    def status():
        return json.loads(gateway.succeed("rauc status --detailed --output-format=json"))

    with subtest("a bundle of another CA and a wrong compatible are refused"):
        other = bundle("other", "2.0.0", key="other.key", cert="other.pem")
        out = gateway.fail(f"rauc install {other} 2>&1")
        assert "signature" in out.lower(), out
        wrong = bundle("wrong", "2.0.0", compatible="other-board")
        out = gateway.fail(f"rauc install {wrong} 2>&1")
        assert "Compatible mismatch" in out, out

    with subtest("the update goes to the inactive slot pair and puts it first with a fresh count"):
        good = bundle("good", "2.0.0")
        gateway.succeed(f"rauc install {good}")
        gateway.succeed("fw_printenv BOOT_ORDER | grep -qx 'BOOT_ORDER=B A'")
        gateway.succeed("fw_printenv BOOT_B_LEFT | grep -qx 'BOOT_B_LEFT=3'")
        s = status()
        assert s["booted"] == "A", s

    with subtest("rollback: mark-bad of the new slot puts the committed one first again"):
        gateway.succeed("rauc status mark-bad other")
        gateway.succeed("fw_printenv BOOT_B_LEFT | grep -qx 'BOOT_B_LEFT=0'")
        gateway.succeed("fw_printenv BOOT_ORDER | grep -q '^BOOT_ORDER=A'")

    with subtest("logs of a boot survive the reboot on /data"):
        gateway.succeed("logger -t atomicnix-test 'before the rollback reboot'")
        gateway.succeed("journalctl --flush")
        gateway.shutdown()
        gateway.start()
        gateway.wait_for_unit("multi-user.target")
        gateway.succeed("journalctl -b -1 -t atomicnix-test | grep -q 'before the rollback reboot'")
        gateway.succeed("findmnt -n -o SOURCE /var/log/journal | grep -q /data")
  '';
}
