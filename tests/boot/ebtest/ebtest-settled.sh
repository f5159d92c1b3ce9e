#!/bin/sh
# Test only: report once udev has settled, unless the test waits for the root file system.
case " $(cat /proc/cmdline) " in
*" ebtest.wait-root "*) ;;
*) # shellcheck disable=SC1091 # installed by module-setup.sh
   . /usr/lib/ebtest-report.sh ;;
esac
