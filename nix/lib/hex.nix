# Integers to the hexadecimal strings that U-Boot's commands take (plain Nix: no nixpkgs).
let
  digits = [ "0" "1" "2" "3" "4" "5" "6" "7" "8" "9" "a" "b" "c" "d" "e" "f" ];
  toHex =
    n:
    if n < 0 then
      throw "toHex: negative number ${toString n}"
    else if n < 16 then
      builtins.elemAt digits n
    else
      toHex (n / 16) + builtins.elemAt digits (n - (n / 16) * 16);
in
{
  inherit toHex;
  # 0x-prefixed, the form U-Boot and fw_env.config both read.
  hex = n: "0x${toHex n}";
}
