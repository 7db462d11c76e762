#!/bin/sh
# Print the kernel build tree to build the module against: the running
# kernel's when it has one, else the newest installed Debian amd64 headers.
set -eu
running=/lib/modules/$(uname -r)/build
if [ -d "$running" ]; then
	echo "$running"
	exit 0
fi
newest=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
if [ -z "$newest" ]; then
	echo "kdir: no kernel headers; install linux-headers-amd64" >&2
	exit 1
fi
echo "$newest"
