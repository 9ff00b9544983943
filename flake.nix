{
  description = "AtomicNix TypeScript platform: the atomicnix CLI that turns one config.toml into device files";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";

  outputs =
    { self, nixpkgs }:
    let
      # The gateway is aarch64 (Rock64); x86_64 builds the same CLI for CI and development machines.
      systems = [
        "aarch64-linux"
        "x86_64-linux"
      ];
      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forEachSystem (pkgs: rec {
        atomicnix = pkgs.callPackage ./nix/package.nix { };
        default = atomicnix;
      });

      checks = forEachSystem (pkgs: {
        atomicnix = self.packages.${pkgs.stdenv.hostPlatform.system}.atomicnix;
      });
    };
}
