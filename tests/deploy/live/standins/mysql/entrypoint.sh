#!/bin/sh
# The official image's first start, in short: initialise the data directory, set the root
# password, create MYSQL_DATABASE and MYSQL_USER, run /docker-entrypoint-initdb.d/*.sql|*.sh on a
# server that listens on no port (so a TCP health check passes only afterwards), then serve.
set -eu
if [ "${1#-}" != "$1" ]; then set -- mariadbd "$@"; fi
if [ "$1" != mariadbd ] && [ "$1" != mysqld ]; then exec "$@"; fi
shift

quote() { printf "%s" "$1" | sed "s/'/''/g"; }
datadir=/var/lib/mysql
# Started as root (Compose) it serves as mysql; started as mysql (Kubernetes' runAsUser) as is.
user_option=
if [ "$(id -u)" = 0 ]; then user_option=--user=mysql; fi
if [ ! -d "$datadir/mysql" ]; then
  : "${MYSQL_ROOT_PASSWORD:?MYSQL_ROOT_PASSWORD is required on first start}"
  if [ -n "$user_option" ]; then chown mysql:mysql "$datadir"; fi
  mariadb-install-db $user_option --datadir="$datadir" --skip-test-db \
    --auth-root-authentication-method=normal >/dev/null
  socket=/run/mysqld/init.sock
  mariadbd $user_option --datadir="$datadir" --skip-networking --socket="$socket" &
  init_pid=$!
  tries=0
  until mariadb-admin --socket="$socket" -uroot ping --silent >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 120 ] || { echo "init server did not start" >&2; exit 1; }
    sleep 0.5
  done
  root_password=$(quote "$MYSQL_ROOT_PASSWORD")
  {
    echo "DROP USER IF EXISTS ''@'localhost';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_password';"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '$root_password';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MYSQL_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
    fi
    if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
      echo "CREATE USER '$(quote "$MYSQL_USER")'@'%' IDENTIFIED BY '$(quote "$MYSQL_PASSWORD")';"
      if [ -n "${MYSQL_DATABASE:-}" ]; then
        echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$(quote "$MYSQL_USER")'@'%';"
      fi
    fi
  } | mariadb --socket="$socket" -uroot
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sql) echo "running $script"; mariadb --socket="$socket" -uroot -p"$MYSQL_ROOT_PASSWORD" <"$script" ;;
      *.sh) echo "running $script"; . "$script" ;;
      *) ;;
    esac
  done
  mariadb-admin --socket="$socket" -uroot -p"$MYSQL_ROOT_PASSWORD" shutdown
  wait "$init_pid" || true
  echo "first start: initialised"
fi
exec mariadbd $user_option --datadir="$datadir" --bind-address=0.0.0.0 --port=3306 "$@"
