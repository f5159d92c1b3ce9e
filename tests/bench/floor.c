// SPDX-License-Identifier: LGPL-2.1-or-later
/* The floor of `make bench`: read each PCI function's uevent once, nothing else. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096], buf[1024];
	struct dirent *de;
	long n = 0, bytes = 0;
	int dfd;
	DIR *dp;

	if (argc != 2) {
		fprintf(stderr, "usage: floor SYSFS\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices", argv[1]);
	dp = opendir(path);
	if (!dp)
		return 1;
	dfd = dirfd(dp);
	while ((de = readdir(dp))) {
		int fd;
		ssize_t r;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/uevent", de->d_name);
		fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof(buf));
		close(fd);
		if (r > 0)
			bytes += r;
		n++;
	}
	closedir(dp);
	printf("%ld functions, %ld bytes\n", n, bytes);
	return 0;
}
