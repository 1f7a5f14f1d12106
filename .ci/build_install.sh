# .ci/build_install.sh: sourced after .ci/deps.sh by the test commands:
# builds relintel from scratch for the chosen PostgreSQL ($PG_CONFIG) and
# installs it (with sudo when not root).
echo "PostgreSQL $PG_VERSION ($PG_CONFIG)"
make -s clean >/dev/null
make -s -j2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" make -s install >/dev/null
