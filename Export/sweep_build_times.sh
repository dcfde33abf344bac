#!/usr/bin/env bash
# The build time of each exported torchvision declaration alone, as a user's project would build it:
#   Export/sweep_build_times.sh WEIGHTS_DIR [Model ...]     (default: every declaration of Export/sweep/)
# For each model: a project holding only Export/sweep/<Model>.cs (the references of Export/sweep_check), restored
# once, then `dotnet build -c Release --no-restore` timed by the wall clock. Writes WEIGHTS_DIR/build-times.tsv
# (model, seconds), which sweep_check reads into Export/SWEEP_CSHARP.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: sweep_build_times.sh WEIGHTS_DIR [Model ...]}
shift
models=("$@")
if [ ${#models[@]} -eq 0 ]; then
  for f in "$root"/Export/sweep/*.cs; do models+=("$(basename "$f" .cs)"); done
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
# The references are built once, so each timed build compiles the model and runs the generator on it.
dotnet build "$root/Runtime/ConvGen.Runtime.csproj" -c Release -nologo -v q >/dev/null
dotnet build "$root/Generator/ConvGen.Generator.csproj" -c Release -nologo -v q >/dev/null
: > "$out/build-times.tsv"
for model in "${models[@]}"; do
  cat > "$work/Build.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Library</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$root/Attributes/ConvGen.Attributes.csproj" />
    <ProjectReference Include="$root/Runtime/ConvGen.Runtime.csproj" />
    <ProjectReference Include="$root/Generator/ConvGen.Generator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
    <Compile Include="$root/Export/sweep/$model.cs" />
  </ItemGroup>
</Project>
PROJ
  rm -rf "$work/bin" "$work/obj"
  dotnet restore "$work/Build.csproj" -v q >/dev/null
  start=$(date +%s.%N)
  dotnet build "$work/Build.csproj" -c Release --no-restore --no-dependencies -nologo -v q >/dev/null
  end=$(date +%s.%N)
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  printf '%s\t%s\n' "$model" "$seconds" | tee -a "$out/build-times.tsv"
done
