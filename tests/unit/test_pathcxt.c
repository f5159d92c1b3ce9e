// SPDX-License-Identifier: LGPL-2.1-or-later
/* The path context: reads relative to a held directory, and a root that appears later. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pathcxt.h"

static void write_at(const char *dir, const char *name, const char *text)
{
	char p[8192];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

void test_pathcxt(void)
{
	char tmpl[] = "/tmp/eb-pathcxt-XXXXXX", buf[64], later[4200];
	char *dir = mkdtemp(tmpl), *text = NULL, *abs;
	struct path_cxt pc, late;
	DIR *dp;

	if (!dir) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	mkdir(strcat(strcpy(buf, dir), "/proc"), 0755);
	write_at(dir, "proc/swaps", "Filename\tType\n");
	write_at(dir, "attr", "1\n\n");
	symlink("../somewhere/0000:01:00.0", strcat(strcpy(later, dir), "/link"));

	path_cxt_open(&pc, dir);
	CHECK(pc.dfd >= 0, "held open");
	/* a leading '/' is the context's root, not the machine's */
	CHECK(pc_read_filef(&pc, &text, NULL, "/proc/%s", "swaps") == 0 &&
		  STREQ(text, "Filename\tType\n"),
	      "read %s", text ? text : "(null)");
	free(text);
	CHECK(pc_readf(&pc, buf, sizeof(buf), "attr") == 1 && !strcmp(buf, "1"),
	      "attribute lines trimmed: '%s'", buf);
	CHECK(pc_readlinkf(&pc, buf, sizeof(buf), "link") > 0 &&
		  !strcmp(buf, "../somewhere/0000:01:00.0"),
	      "link %s", buf);
	CHECK(pc_existsf(&pc, "proc") && !pc_existsf(&pc, "nope"), "exists");
	dp = pc_opendirf(&pc, "/");
	CHECK(dp != NULL, "the directory itself");
	if (dp)
		closedir(dp);
	CHECK(pc_readf(&pc, buf, sizeof(buf), "nope") == -ENOENT, "a missing file is -ENOENT");
	abs = path_cxt_abs(&pc, "/proc/%s", "swaps");
	snprintf(later, sizeof(later), "%s/proc/swaps", dir);
	CHECK(!strcmp(abs, later), "abs %s", abs);
	free(abs);
	CHECK(pc_existsf(&pc, "//proc/%s", "swaps"), "every leading '/' skipped");

	/* a root that does not exist when the process starts (the first run makes ROOT/run) */
	snprintf(later, sizeof(later), "%s/later", dir);
	path_cxt_open(&late, later);
	CHECK(late.dfd < 0, "not there yet");
	mkdir(later, 0755);
	write_at(later, "f", "x\n");
	CHECK(pc_readf(&late, buf, sizeof(buf), "/f") == 1 && !strcmp(buf, "x"),
	      "read through the prefix once it exists: '%s'", buf);
	unlink(strcat(strcpy(later, dir), "/later/f"));
	rmdir(strcat(strcpy(later, dir), "/later"));
	path_cxt_close(&late);

	/* the root "/" itself: the prefix is empty, paths are the machine's */
	path_cxt_open(&late, "/");
	CHECK(STREQ(late.prefix, "") && pc_existsf(&late, "/proc/self"), "root /");
	path_cxt_close(&late);
	path_cxt_close(&pc);
	unlink(strcat(strcpy(later, dir), "/proc/swaps"));
	rmdir(strcat(strcpy(later, dir), "/proc"));
	unlink(strcat(strcpy(later, dir), "/attr"));
	unlink(strcat(strcpy(later, dir), "/link"));
	rmdir(dir);
}
