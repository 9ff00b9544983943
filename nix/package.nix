# The atomicnix package built from this npm workspace: the CLI (a self-contained bundle that also serves the web
# console, which has no assets outside it), the JSON Schema of config.toml, and the fallback system files rendered
# at build time by the CLI itself from `fallbackConfig` (nix/fallback.toml by default; the NixOS modules pass one
# with the LAN defaults of their options). The dependencies come from package-lock.json through importNpmLock, so
# the lock file is the only record of them (no separate hash to keep in step).
{
  lib,
  buildNpmPackage,
  importNpmLock,
  makeWrapper,
  nodejs_20,
  fallbackConfig ? ./fallback.toml,
}:

let
  root = ../.;
  manifest = lib.importJSON ../packages/device-runtime/package.json;
in
buildNpmPackage {
  pname = "atomicnix";
  inherit (manifest) version;

  src = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.unions [
      ../package.json
      ../package-lock.json
      ../tsconfig.base.json
      ../packages
    ];
  };

  nodejs = nodejs_20;
  npmDeps = importNpmLock { npmRoot = root; };
  npmConfigHook = importNpmLock.npmConfigHook;
  nativeBuildInputs = [ makeWrapper ];

  # npm runs the workspaces' builds in the order package.json lists them, which is their dependency order; turbo
  # is a development convenience and not needed here.
  buildPhase = ''
    runHook preBuild
    npm run build --workspaces
    runHook postBuild
  '';

  doCheck = false;

  # The CLI bundle inlines its dependencies, so dist/ alone is the whole program (console included).
  # share/atomicnix/fallback/etc is laid out like /etc: the modules link each file from there. Only etc/ is kept from
  # the render: the fallback's data/ files (its placeholder admin key, its container) are never installed.
  installPhase = ''
    runHook preInstall
    mkdir -p $out/lib/atomicnix $out/bin $out/share/atomicnix
    cp -r packages/device-runtime/dist $out/lib/atomicnix/dist
    makeWrapper ${lib.getExe nodejs_20} $out/bin/atomicnix --add-flags $out/lib/atomicnix/dist/cli.js

    $out/bin/atomicnix schema > $out/share/atomicnix/config.schema.json
    $out/bin/atomicnix validate ${fallbackConfig}
    $out/bin/atomicnix render ${fallbackConfig} --root fallback-render
    mkdir -p $out/share/atomicnix/fallback
    cp -r fallback-render/etc $out/share/atomicnix/fallback/etc
    runHook postInstall
  '';

  passthru = {
    # Paths below the package, for the modules.
    fallbackEtc = "share/atomicnix/fallback/etc";
    schema = "share/atomicnix/config.schema.json";
  };

  meta = {
    description = manifest.description;
    license = lib.licenses.mit;
    mainProgram = "atomicnix";
    platforms = lib.platforms.linux;
  };
}
