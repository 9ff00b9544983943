# The atomicnix CLI built from this npm workspace. The dependencies come from package-lock.json through
# importNpmLock, so the lock file is the only record of them (no separate hash to keep in step).
{
  lib,
  buildNpmPackage,
  importNpmLock,
  makeWrapper,
  nodejs_20,
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

  # The CLI bundle inlines its dependencies, so dist/ alone is the whole program.
  installPhase = ''
    runHook preInstall
    mkdir -p $out/lib/atomicnix $out/bin
    cp -r packages/device-runtime/dist $out/lib/atomicnix/dist
    makeWrapper ${lib.getExe nodejs_20} $out/bin/atomicnix --add-flags $out/lib/atomicnix/dist/cli.js
    runHook postInstall
  '';

  meta = {
    description = manifest.description;
    license = lib.licenses.mit;
    mainProgram = "atomicnix";
    platforms = lib.platforms.linux;
  };
}
