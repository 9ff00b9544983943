{
  description = "AtomicNix: the atomicnix CLI, the NixOS modules that run a Rock64 gateway with it, and its A/B image";

  # Locked in flake.lock (see nix/README.md, "flake.lock", for how it was written and how to refresh it).
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";

  outputs =
    { self, nixpkgs }:
    let
      # The gateway is aarch64 (Rock64); x86_64 builds the same CLI for CI and development machines and runs the
      # VM tests.
      systems = [
        "aarch64-linux"
        "x86_64-linux"
      ];
      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      version = (builtins.fromJSON (builtins.readFile ./packages/device-runtime/package.json)).version;

      rock64 = nixpkgs.lib.nixosSystem {
        modules = [ ./nix/rock64.nix ];
      };
      image = import ./nix/image.nix {
        pkgs = nixpkgs.legacyPackages.aarch64-linux;
        inherit (nixpkgs) lib;
        system = rock64;
        inherit version;
      };
    in
    {
      # Plain Nix, no nixpkgs: partitions, ubootEnv, raucSystemConf, raucManifest, bootScript, qemuBootScript.
      lib = import ./nix/lib { };

      nixosModules.default = ./nix/modules;
      nixosConfigurations.rock64 = rock64;

      packages = forEachSystem (
        pkgs:
        rec {
          atomicnix = pkgs.callPackage ./nix/package.nix { };
          default = atomicnix;
        }
        // nixpkgs.lib.optionalAttrs (pkgs.stdenv.hostPlatform.system == "aarch64-linux") {
          rootfs = image.rootfs;
          boot = image.boot;
          boot-env = image.bootEnv;
          disk-image = image.diskImage;
          bundle-content = image.bundleContent;
          sign-bundle = image.signBundle;
        }
      );

      apps.aarch64-linux.sign-bundle = {
        type = "app";
        program = "${image.signBundle}/bin/atomicnix-sign-bundle";
      };

      checks = forEachSystem (
        pkgs:
        {
          atomicnix = self.packages.${pkgs.stdenv.hostPlatform.system}.atomicnix;
        }
        // import ./nix/tests {
          inherit pkgs;
          atomicnix = self.packages.${pkgs.stdenv.hostPlatform.system}.atomicnix;
        }
      );
    };
}
