// SPDX-License-Identifier: GPL-2.0
/*
 * The servers of the application benchmarks: scratch folder, port, start,
 * readiness, teardown (app.h).
 */
#include "app.h"
#include "forkbench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

void app_init(struct app_server *s)
{
	memset(s, 0, sizeof(*s));
}

int app_need(const char *path, const char *pkg, char *err, size_t errlen)
{
	char q[SHOWN_LEN];

	if (access(path, X_OK) == 0)
		return 0;
	snprintf(err, errlen, "%s not found: install Debian's %s (scripts/install-deps.sh)",
		 parse_shown(path, q, sizeof(q)), pkg);
	return -1;
}

int app_no_heap(const struct fb_common *c, const char *name, const char *sets,
		const char *whose, char *err, size_t errlen)
{
	if (c->nheaps != 1 || c->heaps[0] != 0) {
		snprintf(err, errlen, "--heap: %s has no heap of its own; %s", name, sets);
		return -1;
	}
	if (c->thp != THP_NEVER) {
		snprintf(err, errlen, "--thp: %s leaves %s memory to the kernel (allowed: never)",
			 name, whose);
		return -1;
	}
	return 0;
}

static int user_ids(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	const struct passwd *pw = getpwnam(user);

	if (!pw) {
		snprintf(err, errlen, "no user '%s' on this machine", user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int app_scratch(struct app_server *s, const char *tag, const char *user, char *err,
		size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	uid_t uid;
	gid_t gid;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(s->scratch, sizeof(s->scratch), "%s/forklab-%s-XXXXXX", tmp, tag);
	if (!mkdtemp(s->scratch)) {
		snprintf(err, errlen, "cannot make a scratch folder in %s: %s", tmp, strerror(errno));
		s->scratch[0] = '\0';
		return -1;
	}
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->scratch);
	if (!user)
		return 0;
	if (user_ids(user, &uid, &gid, err, errlen))
		return -1;
	if (chown(s->scratch, uid, gid)) {
		snprintf(err, errlen, "chown %s to %s: %s", s->scratch, user, strerror(errno));
		return -1;
	}
	return 0;
}

int app_free_port(int *port, char *err, size_t errlen)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || getsockname(fd, (struct sockaddr *)&a, &len)) {
		snprintf(err, errlen, "no free TCP port on 127.0.0.1: %s", strerror(errno));
		goto cleanup;
	}
	*port = ntohs(a.sin_port);
	rc = 0;
cleanup:
	close(fd);
	return rc;
}

/* In the child: the group, the output, the mode, the user, then exec. */
static __attribute__((noreturn)) void child_exec(const struct app_server *s, char *const argv[],
						 enum fork_mode mode, const char *user, uid_t uid,
						 gid_t gid)
{
	sigset_t none;
	int fd;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		_exit(126);
	fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		_exit(126);
	if (user && fchown(fd, uid, gid))
		_exit(126);
	close_range(3, ~0U, 0);
	if (mode != FORK_MODE_INHERIT && fork_mode_supported() && fork_mode_set(mode)) {
		fprintf(stderr, "forkbench: cannot set fork mode %s: %s\n", fork_mode_name(mode),
			strerror(errno));
		_exit(126);
	}
	if (user && (initgroups(user, gid) || setgid(gid) || setuid(uid))) {
		fprintf(stderr, "forkbench: cannot become %s: %s\n", user, strerror(errno));
		_exit(126);
	}
	/* After the change of user, which clears it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(126);
	execve(argv[0], argv, environ);
	fprintf(stderr, "forkbench: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int app_start(struct app_server *s, char *const argv[], enum fork_mode mode, const char *user,
	      char *err, size_t errlen)
{
	uid_t uid = 0;
	gid_t gid = 0;
	pid_t pid;

	if (user && user_ids(user, &uid, &gid, err, errlen))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_exec(s, argv, mode, user, uid, gid);
	setpgid(pid, pid);	/* whichever of the two runs first */
	s->pid = pid;
	return 0;
}

const char *app_log_tail(const struct app_server *s, char *buf, size_t len)
{
	char line[512];
	FILE *f = s->log[0] ? fopen(s->log, "re") : NULL;

	snprintf(buf, len, "(empty log)");
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0])
			snprintf(buf, len, "%s", line);
	}
	fclose(f);
	return buf;
}

bool app_alive(struct app_server *s)
{
	int status;

	if (s->pid <= 0)
		return false;
	if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
		s->pid = -s->pid;	/* exited; its group may linger */
		return false;
	}
	return true;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool accepts(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

int app_wait_ready(struct app_server *s, int timeout_ms, char *err, size_t errlen)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	char tail[400];

	while (!fb_stopping()) {
		if (accepts(s->port))
			return 0;
		if (!app_alive(s)) {
			snprintf(err, errlen, "the server exited before it accepted connections; "
				 "its log (%s) ends: %s", s->log, app_log_tail(s, tail, sizeof(tail)));
			return -1;
		}
		if (now_ns() > end) {
			snprintf(err, errlen, "the server did not accept connections on 127.0.0.1:%d "
				 "within %d ms; its log ends: %s", s->port, timeout_ms,
				 app_log_tail(s, tail, sizeof(tail)));
			return -1;
		}
		sleep_ms(20);
	}
	snprintf(err, errlen, "interrupted while the server started");
	return -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void app_remove_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void app_stop(struct app_server *s)
{
	pid_t pg = s->pid < 0 ? -s->pid : s->pid;
	uint64_t end = now_ns() + (uint64_t)APP_STOP_MS * 1000000ULL;
	int status;

	if (s->pid > 0) {
		killpg(pg, SIGTERM);
		while (waitpid(s->pid, &status, WNOHANG) == 0 && now_ns() < end)
			sleep_ms(10);
		if (waitpid(s->pid, &status, WNOHANG) == 0) {
			killpg(pg, SIGKILL);
			while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
				;
		}
	}
	/* Whatever of its group is left (a BGSAVE child, a backend). */
	if (pg > 0)
		killpg(pg, SIGKILL);
	s->pid = 0;
	if (s->scratch[0])
		app_remove_tree(s->scratch);
	s->scratch[0] = '\0';
}
