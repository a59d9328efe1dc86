# Sourced by ./run.sh, ./test.sh, .ci/run and the scripts under bench/ and deploy/: chooses the JDKs the build needs.
#
#   JAVA_HOME                   a JDK 25 or newer: builds and runs the services (Java 25 is the suite's release).
#                               Taken from JAVA_HOME when that is one, else the newest under /usr/lib/jvm.
#   TRIBUTARY_SPARK_JAVA_HOME   a JDK 17 or 21 for the Spark tests (spark-kafka-tests: Spark 4.0 and its Hadoop
#                               client do not run on 25). Taken from the environment, else found under
#                               /usr/lib/jvm; unset when there is none (then -DskipSpark is needed).
#
# Without a JDK 25 it says what to install and fails (return 1).

tributary_java_major() { # prints the feature version of the JDK at $1 (17, 21, 25, ...), or nothing
  [[ -x $1/bin/java && -x $1/bin/javac ]] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

tributary_find_jdk() { # $1 min, $2 max: prints the first matching JDK of the candidates that follow
  local min=$1 max=$2 candidate major
  shift 2
  for candidate in "$@"; do
    [[ -n $candidate ]] || continue
    major=$(tributary_java_major "$candidate")
    if [[ -n $major ]] && (( major >= min && major <= max )); then
      echo "$candidate"
      return 0
    fi
  done
}

tributary_jvm_dirs() { # JDKs under /usr/lib/jvm (TRIBUTARY_JVM_ROOT), newest name first
  ls -d "${TRIBUTARY_JVM_ROOT:-/usr/lib/jvm}"/*/ 2>/dev/null | sed 's:/$::' | sort -rV
}

tributary_jdk=$(tributary_find_jdk 25 999 "${JAVA_HOME:-}" $(tributary_jvm_dirs))
if [[ -z $tributary_jdk ]]; then
  cat >&2 <<'MSG'
Tributary builds and runs on Java 25 (the current LTS), and no JDK 25 was found (JAVA_HOME, /usr/lib/jvm).
Install one and run again, e.g.
  - Eclipse Temurin 25 from Adoptium's apt repository: apt-get install temurin-25-jdk (see adoptium.net/installation/linux)
  - or unpack a JDK 25 tarball (adoptium.net) and set JAVA_HOME to it.
MSG
  return 1
fi
export JAVA_HOME=$tributary_jdk
export PATH=$JAVA_HOME/bin:$PATH

tributary_spark_jdk=$(tributary_find_jdk 17 21 "${TRIBUTARY_SPARK_JAVA_HOME:-}" $(tributary_jvm_dirs))
if [[ -n $tributary_spark_jdk ]]; then
  export TRIBUTARY_SPARK_JAVA_HOME=$tributary_spark_jdk
else
  unset TRIBUTARY_SPARK_JAVA_HOME
fi
unset tributary_jdk tributary_spark_jdk
