#!/bin/sh
# earlybind: dracut cmdline hook (00: before 90kernel-modules' rd.driver.pre handling at 01).
# Sourced by dracut's shell init: never exit, keep variables to ourselves, run the binary as a
# child. Under systemd, dracut-cmdline.service sources cmdline hooks too; there earlybind.service
# has already run, so nothing is done here. (EARLYBIND_SYSTEMD_DIR is a test seam.)
if [ ! -d "${EARLYBIND_SYSTEMD_DIR:-/run/systemd/system}" ] && command -v earlybind >/dev/null 2>&1; then
    earlybind apply >/dev/null || :
fi
