# RAUC's system.conf and bundle manifest for the A/B slot pairs of partitions.nix: each boot partition is the child of
# its rootfs slot, so one install writes a matching pair, and the rootfs slots carry the bootnames that the boot
# script's BOOT_ORDER uses.
{ partitions, keyringPath }:
let
  compatible = "atomicnix-rock64";
  lines = builtins.concatStringsSep "\n";
  p = partitions.byName;
  slotSection = name: part: extra: lines (
    [
      "[slot.${name}]"
      "device=${part.device}"
      "type=raw"
    ]
    ++ extra
  );

  raucSystemConf = lines [
    "# RAUC system configuration (nix/lib/rauc.nix)"
    "[system]"
    "compatible=${compatible}"
    "bootloader=uboot"
    # Only signed verity bundles: their payload is checked block by block while installing.
    "bundle-formats=-plain"
    # Per-slot status (installed bundle, hash, time) survives slot switches on /data.
    "data-directory=/data/rauc"
    ""
    "[keyring]"
    "path=${keyringPath}"
    ""
    (slotSection "rootfs.0" p.rootfs-a [ "bootname=A" ])
    ""
    (slotSection "boot.0" p.boot-a [ "parent=rootfs.0" ])
    ""
    (slotSection "rootfs.1" p.rootfs-b [ "bootname=B" ])
    ""
    (slotSection "boot.1" p.boot-b [ "parent=rootfs.1" ])
    ""
  ];

  checkToken =
    what: value:
    if builtins.match "[A-Za-z0-9._+-]+" value == null then
      throw "raucManifest: ${what} must be a plain token of [A-Za-z0-9._+-], got ${builtins.toJSON value}"
    else
      value;

  imageSection =
    slotClass: image:
    lines (
      [
        "[image.${slotClass}]"
        "filename=${checkToken "the ${slotClass} image's filename" image.filename}"
      ]
      ++ (
        if image ? sha256 then
          (if builtins.match "[0-9a-f]{64}" image.sha256 == null then
            throw "raucManifest: the ${slotClass} image's sha256 must be 64 lower-case hex digits"
          else
            [ "sha256=${image.sha256}" ])
        else
          [ ]
      )
      ++ (if image ? size then [ "size=${toString image.size}" ] else [ ])
    );

  # The bundle manifest: the images by slot class (rootfs, boot), each with its file name and optionally its SHA-256
  # and size (rauc bundle fills in what is missing); verity format, so the signature covers the payload's hash tree.
  raucManifest =
    {
      version,
      images ? {
        rootfs = { filename = "rootfs.squashfs"; };
        boot = { filename = "boot.vfat"; };
      },
      description ? "AtomicNix firmware for the Rock64",
    }:
    assert builtins.attrNames images == [ "boot" "rootfs" ] || throw "raucManifest: images must be exactly boot and rootfs, got ${builtins.toJSON (builtins.attrNames images)}";
    lines [
      "[update]"
      "compatible=${compatible}"
      "version=${checkToken "version" version}"
      "description=${if builtins.match "[^\n]*" description == null then throw "raucManifest: description must be one line" else description}"
      ""
      "[bundle]"
      "format=verity"
      ""
      (imageSection "rootfs" images.rootfs)
      ""
      (imageSection "boot" images.boot)
      ""
    ];
in
{
  inherit compatible raucSystemConf raucManifest;
}
