#!/usr/bin/env bash
# Builds the release executable as one file (Swift runtime linked statically), strips it
# and packs it with a README into dist/swiftllm-<version>-linux-<arch>/ — as a .tar.xz
# when the binary is over 60 MB. Prints the artifact's path and size.
#   SWIFTLLM_VERSION     version in the name (default: git describe, else "dev")
#   SWIFTLLM_BUILD_DIR   SwiftPM scratch folder (default: .build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
version="${SWIFTLLM_VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
arch="$(uname -m)"
scratch="${SWIFTLLM_BUILD_DIR:-.build}"
build=(swift build -c release --static-swift-stdlib --product swiftllm --scratch-path "$scratch")

"${build[@]}"
binary="$("${build[@]}" --show-bin-path)/swiftllm"

name="swiftllm-$version-linux-$arch"
out="$root/dist/$name"
rm -rf "$out" "$out.tar.xz"
mkdir -p "$out"
cp "$binary" "$out/swiftllm"
if command -v strip >/dev/null; then strip "$out/swiftllm"; fi
# The oldest C and C++ runtimes the binary links against, from its versioned symbols.
requirement() {  # $1: symbol version prefix (GLIBC_, GLIBCXX_)
  if command -v objdump >/dev/null; then
    objdump -T "$out/swiftllm" | grep -oE "$1[0-9.]+" | sed "s/$1//" | sort -uV | tail -n1 || true
  fi
}
glibc="$(requirement GLIBC_)"
glibc="${glibc:-$(getconf GNU_LIBC_VERSION | awk '{print $2}')}"
glibcxx="$(requirement GLIBCXX_)"

cat > "$out/README.md" <<README
# swiftllm $version (Linux $arch)

One executable: the Swift runtime is linked in. Run \`./swiftllm --help\`.

Requirements
- Linux $arch with glibc >= $glibc${glibcxx:+ and libstdc++ with GLIBCXX_$glibcxx}.
- For the GPU: an NVIDIA driver (libcuda.so.1). Without one, swiftllm runs on the CPU.
- CUDA libraries are found at run time, none at build time: NVRTC (libnvrtc.so.13 or
  .12) compiles the kernels for your GPU on first use (cached in
  ~/.cache/swiftllm/kernels), cuBLASLt (libcublasLt.so.13 or .12) runs the matrix
  products. Search order: SWIFTLLM_CUDA_DRIVER / SWIFTLLM_NVRTC / SWIFTLLM_CUBLASLT
  (full paths), LD_LIBRARY_PATH, the CUDA toolkit (\$CUDA_HOME, /usr/local/cuda), the
  system library path, then NVIDIA's Python wheels in site-packages/nvidia/*/lib.
  Without a toolkit:
      pip install "nvidia-cuda-nvrtc==13.0.*" "nvidia-cuda-runtime==13.0.*" "nvidia-cublas==13.*"
README

size=$(stat -c %s "$out/swiftllm")
if (( size > 60 * 1000 * 1000 )); then
  tar -C "$root/dist" -cJf "$out.tar.xz" "$name"
  artifact="$out.tar.xz"
else
  artifact="$out"
fi
artifact_size=$(du -sb "$artifact" | cut -f1)
echo "$artifact ($(( artifact_size / 1000000 )) MB; binary $(( size / 1000000 )) MB)"
