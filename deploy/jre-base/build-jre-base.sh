#!/usr/bin/env bash
# Assembles the offline JRE base image for the services' containers, as a docker-save tar that Jib reads
# with <from><image>tar://…</image></from> (profile offline-base).
#
#   deploy/jre-base/build-jre-base.sh OUT.tar            Java 25, the services' base
#   deploy/jre-base/build-jre-base.sh --spark OUT.tar    Java 17 (TRIBUTARY_SPARK_JAVA_HOME), the base of the
#                                                        analytics-spark image (Spark 4.0 does not run on 25)
#
# debootstrap (--variant=minbase) builds a Debian root file system from the same package mirror apt uses
# on this machine, and jlink puts a Java 25 runtime of the modules the services use into /opt/java
# (from the JDK 25 that scripts/java-env.sh finds: Debian bookworm packages no Java 25); together they
# become one image layer. Needs root and debootstrap. Nothing is pulled from a container registry. The
# tar is a build product: never commit it.
set -euo pipefail
source "$(dirname "$0")/../../scripts/java-env.sh" # JAVA_HOME: the JDK 25 whose jlink builds the runtime

spark=false
if [[ ${1:-} == --spark ]]; then
    spark=true
    shift
fi
out=${1:?usage: $0 [--spark] OUT.tar}
suite=${JRE_BASE_SUITE:-bookworm}
# What Spring Boot services need of the JDK: Java SE, sun.misc.Unsafe (Netty, Ratis), JMX and JFR for
# Actuator and diagnostics, DNS, zip file systems, PKCS#11 and all charsets and locales; jcmd for operators.
service_modules=java.se,jdk.unsupported,jdk.management,jdk.management.agent,jdk.management.jfr,jdk.jfr,jdk.net,jdk.naming.dns,jdk.zipfs,jdk.crypto.cryptoki,jdk.charsets,jdk.localedata,jdk.jcmd,jdk.attach
if $spark; then
    JAVA_HOME=${TRIBUTARY_SPARK_JAVA_HOME:?build-jre-base --spark: no JDK 17 or 21 (TRIBUTARY_SPARK_JAVA_HOME)}
    tag=${JRE_BASE_TAG:-tributary/jre-base:spark}
    # Spark besides: the vector API it adds to every JVM it starts, Hadoop's login modules, elliptic curves
    modules=${JRE_BASE_MODULES:-$service_modules,jdk.incubator.vector,jdk.security.auth,jdk.crypto.ec}
    compress=2 # jlink of 17 knows no zip-N levels
else
    tag=${JRE_BASE_TAG:-tributary/jre-base:25}
    modules=${JRE_BASE_MODULES:-$service_modules}
    compress=zip-6
fi

[[ $(id -u) == 0 ]] || { echo "build-jre-base: debootstrap needs root" >&2; exit 1; }
command -v debootstrap > /dev/null || { echo "build-jre-base: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }

# The Debian mirror apt is configured with (deb822 sources first, then the one-line format).
mirror=${JRE_BASE_MIRROR:-$(
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' || true; } | grep -v -- '-security' | sed -n 1p)}
[[ -n $mirror ]] || { echo "build-jre-base: no Debian mirror found in the apt sources; set JRE_BASE_MIRROR" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/jre-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

echo "build-jre-base: debootstrap $suite from $mirror (a few minutes the first time)"
debootstrap --variant=minbase "$suite" "$root" "$mirror" \
  > "$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
echo "build-jre-base: jlink $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1) -> /opt/java"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=$compress --output "$root/opt/java"

# Only what a JVM needs at run time: no package caches, lists, documentation or device nodes.
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
       "$root"/usr/share/locale/* "$root"/var/log/* "$root"/tmp/* "$root"/dev/* "$root"/proc/* "$root"/sys/*
java_home=/opt/java
[[ -x $root$java_home/bin/java ]] || { echo "build-jre-base: no java in the root file system" >&2; exit 1; }

# docker-save layout: one layer, its config (diff id = digest of the uncompressed layer) and manifest.json.
image=$work/image
mkdir -p "$image/layer"
tar --numeric-owner --sort=name --mtime='@0' -C "$root" -cf "$image/layer/layer.tar" .
diff_id=$(sha256sum "$image/layer/layer.tar" | cut -d' ' -f1)
cat > "$image/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=$java_home/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$java_home","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created_by":"debootstrap --variant=minbase $suite; jlink --add-modules $modules"}]}
JSON
config_id=$(sha256sum "$image/config.json" | cut -d' ' -f1)
mv "$image/config.json" "$image/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer/layer.tar"]}]\n' "$config_id" "$tag" > "$image/manifest.json"

mkdir -p "$(dirname "$out")"
tar -C "$image" -cf "$out.partial" manifest.json "$config_id.json" layer/layer.tar
mv "$out.partial" "$out"
echo "build-jre-base: wrote $out ($(du -h "$out" | cut -f1), $tag, java at $java_home)"
