/* servers.c - spawning, waiting for and stopping private servers. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "registry.h"
#include "servers.h"
#include "util.h"

#define MAX_SERVERS 64
#define START_TIMEOUT_NS (30ull * 1000000000ull)
#define STOP_TIMEOUT_NS (10ull * 1000000000ull)

struct server_set {
	char *dir;
	struct server *servers[MAX_SERVERS];
	size_t n;
};

/* Every live child, for signal handlers and atexit: plain pids in atomics. */
static _Atomic pid_t live_pids[MAX_SERVERS];
static atomic_int atexit_registered;
/* Set by a signal handler: a server still starting is given up on. */
static atomic_int cancel_start;

void servers_cancel_start(void)
{
	atomic_store(&cancel_start, 1);
}

static void track_pid(pid_t pid)
{
	for (int i = 0; i < MAX_SERVERS; i++) {
		pid_t zero = 0;

		if (atomic_compare_exchange_strong(&live_pids[i], &zero, pid))
			return;
	}
}

static void untrack_pid(pid_t pid)
{
	for (int i = 0; i < MAX_SERVERS; i++) {
		pid_t p = pid;

		if (atomic_compare_exchange_strong(&live_pids[i], &p, 0))
			return;
	}
}

void servers_kill_all_now(void)
{
	for (int i = 0; i < MAX_SERVERS; i++) {
		pid_t p = atomic_load(&live_pids[i]);

		if (p > 0)
			kill(p, SIGKILL);
	}
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void kill_at_exit(void)
{
	servers_kill_all_now();
}

/*
 * The owner record in each servers' directory (OWNER_FILE): which bench
 * made it, so that a later bench can tell a directory whose owner is gone
 * (SIGKILLed, or quit at once) from one in use, and from anything it did
 * not make. The process's start time guards against a reused pid; the pid
 * namespace against a pid that means another process in another
 * container sharing /tmp.
 */
#define OWNER_FILE "bench-owner"
#define OWNER_MAGIC "bench servers directory"
#define DIR_PREFIX "bench-servers-"

/* The directory of the live set, for servers_abandon() on the quitter
 * thread: a copy (the set's own may be freed by then), published by
 * live_dir_set. */
static char live_dir[4096];
static atomic_int live_dir_set;

static const char *tmp_root(void)
{
	const char *tmp = getenv("TMPDIR");

	return tmp && *tmp ? tmp : "/tmp";
}

/* Field 22 of /proc/PID/stat: when the process started, in clock ticks
 * after boot; 0 when there is no such process. */
static unsigned long long proc_start_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

/* "pid:[4026531836]", or "" when /proc does not say. */
static void pid_namespace(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/ns/pid", buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
}

static void write_owner(const char *dir)
{
	char ns[128], *path = xasprintf("%s/" OWNER_FILE, dir), *text;

	pid_namespace(ns, sizeof(ns));
	text = xasprintf(OWNER_MAGIC "\npid %ld\nstart %llu\npidns %s\n", (long)getpid(), proc_start_ticks(getpid()), ns);
	util_write_file(path, text); /* without it the directory is only never swept */
	free(text);
	free(path);
}

/*
 * Whether dir (a name under the temporary root, already known to be a
 * directory of ours) holds an owner record whose bench is gone. Only a
 * record read whole and understood says so; anything else keeps it.
 */
static bool owner_gone(const char *dir)
{
	char *path = xasprintf("%s/" OWNER_FILE, dir), buf[512], ns[128], rec_ns[128];
	long pid;
	unsigned long long start, now;
	struct stat st;
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	free(path);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && st.st_size < (off_t)sizeof(buf))
		n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	pid_namespace(ns, sizeof(ns));
	if (sscanf(buf, OWNER_MAGIC "\npid %ld\nstart %llu\npidns %127s\n", &pid, &start, rec_ns) != 3 || pid <= 0 ||
	    !ns[0] || strcmp(ns, rec_ns) != 0 || pid == (long)getpid())
		return false;
	now = proc_start_ticks((pid_t)pid);
	return now == 0 || now != start; /* gone, or its pid is another process's now */
}

void servers_sweep_stale(bool quiet)
{
	const char *root = tmp_root();
	DIR *d = opendir(root);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		struct stat st;
		char *dir;

		/* mkdtemp's names only: DIR_PREFIX and six characters. */
		if (strncmp(e->d_name, DIR_PREFIX, strlen(DIR_PREFIX)) != 0 ||
		    strlen(e->d_name) != strlen(DIR_PREFIX) + 6)
			continue;
		dir = xasprintf("%s/%s", root, e->d_name);
		if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() && owner_gone(dir)) {
			int rc = util_remove_tree(dir), err = errno;

			if (!quiet || rc != 0)
				fprintf(stderr, "bench: %s %s, which a bench no longer running left%s%s\n",
					rc == 0 ? "removed" : "could not remove all of", dir, rc == 0 ? "" : ": ",
					rc == 0 ? "" : strerror(err));
		}
		free(dir);
	}
	if (d)
		closedir(d);
}

/* -1 with errno set to e: the one way these functions fail. */
static int fail_with(int e)
{
	errno = e;
	return -1;
}

int servers_init(struct server_set **out, char *err, size_t errlen)
{
	struct server_set *set = xcalloc(1, sizeof(*set));
	char *tmpl = xasprintf("%s/" DIR_PREFIX "XXXXXX", tmp_root());

	if (!mkdtemp(tmpl)) {
		int e = errno;

		snprintf(err, errlen, "cannot create a directory for servers (%s): %s", tmpl, strerror(e));
		free(tmpl);
		free(set);
		return fail_with(e);
	}
	set->dir = tmpl;
	write_owner(tmpl);
	if (strlen(tmpl) < sizeof(live_dir)) {
		memcpy(live_dir, tmpl, strlen(tmpl) + 1);
		atomic_store(&live_dir_set, 1);
	}
	if (atomic_exchange(&atexit_registered, 1) == 0)
		atexit(kill_at_exit);
	*out = set;
	return 0;
}

void servers_abandon(void)
{
	uint64_t deadline = util_now_ns() + 2000000000ull;

	servers_kill_all_now();
	/* Reap them (bounded: the main thread may reap one first) before
	 * their files go, so that no server writes after the removal. */
	for (int i = 0; i < MAX_SERVERS; i++) {
		pid_t p = atomic_load(&live_pids[i]);
		int status;

		while (p > 0 && waitpid(p, &status, WNOHANG) == 0 && util_now_ns() < deadline)
			sleep_ns(5000000);
	}
	if (atomic_exchange(&live_dir_set, 0))
		util_remove_tree(live_dir);
}

static void free_argv(char **argv);

static void server_free(struct server *srv)
{
	if (!srv)
		return;
	servers_stop(srv);
	free(srv->program);
	free(srv->exe);
	free(srv->uri);
	free(srv->log);
	free(srv->dir);
	if (srv->argv)
		free_argv(srv->argv);
	free(srv);
}

void servers_free(struct server_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		server_free(set->servers[i]);
	/* Only the directory this set made, with what its servers wrote. */
	atomic_store(&live_dir_set, 0);
	util_remove_tree(set->dir);
	free(set->dir);
	free(set);
}

void servers_stop(struct server *srv)
{
	uint64_t deadline;
	int status;

	if (!srv || srv->pid <= 0)
		return;
	kill(srv->pid, SIGTERM);
	kill(srv->pid, SIGCONT); /* a stopped server acts on SIGTERM only once continued */
	deadline = util_now_ns() + STOP_TIMEOUT_NS;
	while (waitpid(srv->pid, &status, WNOHANG) == 0) {
		if (util_now_ns() > deadline) {
			kill(srv->pid, SIGKILL);
			waitpid(srv->pid, &status, 0);
			break;
		}
		sleep_ns(5000000);
	}
	untrack_pid(srv->pid);
	srv->pid = 0;
}

char *servers_find_program(const char *name)
{
	const char *path = getenv("PATH");
	char *p;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
	while (path && *path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);

		p = xasprintf("%.*s/%s", (int)len, len ? path : ".", name);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
		path = colon ? colon + 1 : NULL;
	}
#ifdef BENCH_TOOLS_DIR
	p = xasprintf("%s/%s", BENCH_TOOLS_DIR, name);
	if (access(p, X_OK) == 0)
		return p;
	free(p);
#endif
	return NULL;
}

const char *servers_external_uri(const struct bench_driver *d)
{
	const char *v = d->address_env ? getenv(d->address_env) : NULL;

	return v && *v ? v : d->address_default;
}

/* A port that was free a moment ago; the server may still lose a race for
 * it, which spawn() detects and retries. */
static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int port = -1;

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int port_accepts(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ok;

	if (fd < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* The arguments that give the server its size (workload server:, driver.h
 * memory_argv and eviction), after the recipe's and before the target's
 * own spawn args, so those win. memcached's -m takes whole MiB: the
 * limit is rounded up. Returns the new count. */
static size_t size_args(const struct bench_server_recipe *r, const struct server_size *size, char **argv, size_t n)
{
	if (!size)
		return n;
	for (size_t i = 0; size->memory && i < sizeof(r->memory_argv) / sizeof(r->memory_argv[0]) && r->memory_argv[i];
	     i++) {
		const char *a = r->memory_argv[i], *brace = strchr(a, '{');

		unsigned long long mib = (size->memory + (1u << 20) - 1) >> 20;

		if (brace && !strncmp(brace, "{memory_bytes}", 14))
			argv[n++] = xasprintf("%.*s%llu%s", (int)(brace - a), a, (unsigned long long)size->memory, brace + 14);
		else if (brace && !strncmp(brace, "{memory_mib}", 12))
			argv[n++] = xasprintf("%.*s%llu%s", (int)(brace - a), a, mib, brace + 12);
		else if (brace && !strncmp(brace, "{item_max}", 10))
			argv[n++] = xasprintf("%.*s%lluk%s", (int)(brace - a), a, mib >= 4 ? 2048 : mib * 512, brace + 10);
		else
			argv[n++] = xstrdup(a);
	}
	for (size_t i = 0; size->eviction && i < sizeof(r->eviction) / sizeof(r->eviction[0]) && r->eviction[i].name;
	     i++) {
		if (strcmp(r->eviction[i].name, size->eviction) != 0)
			continue;
		for (size_t j = 0; j < sizeof(r->eviction[i].argv) / sizeof(r->eviction[i].argv[0]) &&
				   r->eviction[i].argv[j]; j++)
			argv[n++] = xstrdup(r->eviction[i].argv[j]);
	}
	return n;
}

/* Expands {port}, {dir} and {user} into a fresh argv (driver.h, struct
 * bench_server_recipe). */
static char **build_argv(const struct bench_server_recipe *r, const char *exe, int port, const char *dir,
			 const struct server_size *size, const char *const *extra)
{
	size_t n = 0, cap = 64;
	char **argv = xcalloc(cap, sizeof(*argv));

	argv[n++] = xstrdup(exe);
	for (size_t i = 1; r->argv[i]; i++) {
		const char *a = r->argv[i];
		const char *brace = strchr(a, '{');

		if (strcmp(a, "{user}") == 0) {
			if (geteuid() == 0) {
				argv[n++] = xstrdup("-u");
				argv[n++] = xstrdup("root");
			}
		} else if (brace && strncmp(brace, "{port}", 6) == 0) {
			argv[n++] = xasprintf("%.*s%d%s", (int)(brace - a), a, port, brace + 6);
		} else if (brace && strncmp(brace, "{dir}", 5) == 0) {
			argv[n++] = xasprintf("%.*s%s%s", (int)(brace - a), a, dir, brace + 5);
		} else {
			argv[n++] = xstrdup(a);
		}
	}
	n = size_args(r, size, argv, n);
	for (; extra && *extra && n < cap - 1; extra++)
		argv[n++] = xstrdup(*extra);
	argv[n] = NULL;
	return argv;
}

static void free_argv(char **argv)
{
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

/* The last lines of a log, for error messages. */
static void log_tail(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t size;
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size > (off_t)(len - 1))
		lseek(fd, size - (off_t)(len - 1), SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

static pid_t start_child(char **argv, const char *log)
{
	pid_t parent = getpid();
	pid_t pid;
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		/* Die with bench, even when bench is SIGKILLed. The kernel
		 * sends it when the thread that forked exits, so servers are
		 * only spawned from bench's main thread. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		/* bench's handlers are no business of the server's, even
		 * before exec replaces them. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		setpgid(0, 0); /* the terminal's Ctrl-C goes to bench only */
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd);
	if (pid > 0)
		track_pid(pid);
	return pid;
}

/* Waits until the server accepts connections and the driver can read its
 * identity. Returns 0, or -1 with err (the server died or never answered). */
static int wait_ready(struct server *srv, const struct bench_driver *driver, char *err, size_t errlen)
{
	uint64_t deadline = util_now_ns() + START_TIMEOUT_NS;
	struct bench_target target = {.name = "spawn-check", .uri = srv->uri, .prefix = "bench:", .timeout_ms = 5000};
	int status;

	for (;;) {
		if (waitpid(srv->pid, &status, WNOHANG) == srv->pid) {
			untrack_pid(srv->pid);
			srv->pid = 0;
			snprintf(err, errlen, "%s exited (%s %d) before answering", srv->program,
				 WIFEXITED(status) ? "status" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			return -1;
		}
		if (atomic_load(&cancel_start)) {
			snprintf(err, errlen, "interrupted while %s was starting", srv->program);
			return -1;
		}
		if (port_accepts(srv->port)) {
			struct bench_conn conn = {.driver = driver, .target = &target};
			struct bench_server_info info = {0};
			int ok = driver->open(&conn) == 0 && driver->server_info(&conn, &info) == 0;

			driver->close(&conn);
			if (ok)
				return 0;
		}
		if (util_now_ns() > deadline) {
			snprintf(err, errlen, "%s did not answer on 127.0.0.1:%d within 30 s", srv->program, srv->port);
			return -1;
		}
		sleep_ns(5000000);
	}
}

/* The recipe and program for a driver (the given program, or the first the
 * host has): 0 with *r and *exe (caller frees), or -1 with errno ENOTSUP /
 * ENOENT and err saying what to do. */
static int find_recipe(const struct bench_driver *d, const char *program, const struct bench_server_recipe **r,
		       char **exe, char *err, size_t errlen)
{
	char known[128];

	*r = NULL;
	*exe = NULL;
	if (!bench_driver_knows_program(d, program, known, sizeof(known))) {
		if (!known[0])
			snprintf(err, errlen, "bench cannot spawn a server for driver %s: give the target a uri, or use "
				 "--servers external", d->name);
		else if (program)
			snprintf(err, errlen, "bench cannot spawn '%s' for driver %s (it knows %s): fix the target's "
				 "spawn.program", program, d->name, known);
		if (!known[0] || program)
			return fail_with(ENOTSUP);
	}
	for (const struct bench_server_recipe *c = d->servers; c->program && !*exe; c++) {
		if (program && strcmp(c->program, program) != 0)
			continue;
		*r = c;
		*exe = servers_find_program(c->program);
	}
	if (*exe)
		return 0;
	if (program)
		snprintf(err, errlen, "%s not found on PATH (the target's spawn.program): %s, or use --servers external",
			 program, (*r)->install_hint ? (*r)->install_hint : "install it");
	else if (d->servers[1].program)
		snprintf(err, errlen, "no server for driver %s found (%s on PATH or in tools/bin): %s; or use --servers "
			 "external", d->name, known, (*r)->install_hint ? (*r)->install_hint : "install one");
	else
		snprintf(err, errlen, "%s not found on PATH: %s (or run scripts/install-deps), or use --servers external",
			 (*r)->program, (*r)->install_hint ? (*r)->install_hint : "install it");
	return fail_with(ENOENT);
}

int servers_check_spawn(const struct bench_driver *driver, const char *program, char *err, size_t errlen)
{
	const struct bench_server_recipe *r;
	char *exe;
	int rc = find_recipe(driver, program, &r, &exe, err, errlen);

	free(exe);
	return rc;
}

int servers_spawn(struct server_set *set, const struct bench_driver *driver, const char *program,
		  const char *const *args, struct server **out, char *err, size_t errlen)
{
	return servers_spawn_sized(set, driver, program, args, NULL, out, err, errlen);
}

int servers_spawn_sized(struct server_set *set, const struct bench_driver *driver, const char *program,
			const char *const *args, const struct server_size *size, struct server **out, char *err,
			size_t errlen)
{
	const struct bench_server_recipe *r;
	char *exe;
	int rc = find_recipe(driver, program, &r, &exe, err, errlen);

	if (rc < 0)
		return -1;
	if (set->n == MAX_SERVERS) {
		free(exe);
		snprintf(err, errlen, "too many spawned servers (%d)", MAX_SERVERS);
		return fail_with(EMFILE);
	}

	/* A lost race for the port shows as an early exit: try a few ports. */
	for (int attempt = 0; attempt < 3; attempt++) {
		struct server *srv = xcalloc(1, sizeof(*srv));
		char *dir = xasprintf("%s/%s-%zu-%d", set->dir, r->program, set->n, attempt);
		char **argv;
		char tail[512];

		srv->program = xstrdup(r->program);
		srv->exe = xstrdup(exe);
		srv->port = free_port();
		srv->uri = xasprintf(r->uri, srv->port);
		srv->log = xasprintf("%s.log", dir);
		if (srv->port < 0 || mkdir(dir, 0700) < 0) {
			rc = errno ? errno : EIO;
			snprintf(err, errlen, "cannot prepare %s: %s", dir, strerror(rc));
			free(dir);
			server_free(srv);
			break;
		}
		argv = build_argv(r, exe, srv->port, dir, size, args);
		srv->dir = dir;
		srv->argv = argv;
		srv->pid = start_child(argv, srv->log);
		if (srv->pid < 0) {
			rc = errno;
			snprintf(err, errlen, "cannot start %s: %s", exe, strerror(rc));
			srv->pid = 0;
			server_free(srv);
			break;
		}
		if (wait_ready(srv, driver, err, errlen) == 0) {
			set->servers[set->n++] = srv;
			*out = srv;
			free(exe);
			return 0;
		}
		rc = EIO;
		if (atomic_load(&cancel_start)) {
			rc = EINTR;
			server_free(srv);
			break;
		}
		log_tail(srv->log, tail, sizeof(tail));
		if (tail[0]) {
			size_t used = strlen(err);

			snprintf(err + used, errlen - used, "; its log (%s) ends: %s", srv->log, tail);
		}
		server_free(srv);
	}
	free(exe);
	return fail_with(rc);
}

void servers_kill9(struct server *srv)
{
	int status;

	if (!srv || srv->pid <= 0)
		return;
	kill(srv->pid, SIGKILL);
	while (waitpid(srv->pid, &status, 0) < 0 && errno == EINTR)
		;
	untrack_pid(srv->pid);
	srv->pid = 0;
}

/* Bytes of the regular files under path (not following links). */
static uint64_t tree_bytes(const char *path)
{
	struct stat st;
	uint64_t n = 0;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return (uint64_t)st.st_size;
	if (!S_ISDIR(st.st_mode) || !(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = xasprintf("%s/%s", path, e->d_name);
		n += tree_bytes(sub);
		free(sub);
	}
	closedir(d);
	return n;
}

uint64_t servers_data_bytes(const struct server *srv)
{
	return srv && srv->dir ? tree_bytes(srv->dir) : 0;
}

int servers_restart(struct server *srv, const struct bench_driver *driver, double *restart_s,
		    char *err, size_t errlen)
{
	uint64_t t0;
	int rc;

	if (srv->pid > 0 || !srv->argv) {
		snprintf(err, errlen, "%s is still running or cannot be restarted", srv->program);
		return fail_with(EINVAL);
	}
	t0 = util_now_ns();
	srv->pid = start_child(srv->argv, srv->log);
	if (srv->pid < 0) {
		rc = errno;
		srv->pid = 0;
		snprintf(err, errlen, "cannot restart %s: %s", srv->exe, strerror(rc));
		return fail_with(rc);
	}
	/* A port the dead server held can linger a moment in the kernel;
	 * wait_ready reports an early exit, with the log's end. */
	if (wait_ready(srv, driver, err, errlen) < 0) {
		char tail[512];
		size_t used = strlen(err);

		log_tail(srv->log, tail, sizeof(tail));
		snprintf(err + used, errlen - used, "; its log (%s) ends: %s", srv->log, tail);
		return fail_with(EIO);
	}
	*restart_s = (double)(util_now_ns() - t0) / 1e9;
	return 0;
}

/* The programs of every built-in driver whose recipe can make a replica
 * ("redis-server"), for the message that refuses another. */
static void replica_programs(char *buf, size_t len)
{
	size_t n, used = 0;
	const struct bench_driver *const *d = bench_drivers_builtin(&n);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		for (const struct bench_server_recipe *r = d[i]->servers; r && r->program; r++)
			if (r->replica_argv[0] && used < len)
				used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " or " : "", r->program);
}

int servers_spawn_replica(struct server_set *set, const struct bench_driver *driver, const struct server *primary,
			  struct server **out, char *err, size_t errlen)
{
	const struct bench_server_recipe *r = NULL;
	char port[16], known[128];
	const char *args[sizeof(r->replica_argv) / sizeof(r->replica_argv[0])];
	char *owned[sizeof(args) / sizeof(args[0])] = {0};
	size_t n = 0;
	int rc, e;

	for (const struct bench_server_recipe *c = driver->servers; c && c->program && !r; c++)
		if (strcmp(c->program, primary->program) == 0)
			r = c;
	if (!r || !r->replica_argv[0]) {
		replica_programs(known, sizeof(known));
		snprintf(err, errlen, "bench starts replicas of %s only, not of a %s server", known[0] ? known : "no server",
			 driver->name);
		return fail_with(ENOTSUP);
	}
	snprintf(port, sizeof(port), "%d", primary->port);
	for (; n < sizeof(args) / sizeof(args[0]) - 1 && r->replica_argv[n]; n++) {
		static const char key[] = "{primary_port}";
		const char *a = r->replica_argv[n], *brace = strstr(a, key);

		args[n] = a;
		if (brace)
			args[n] = owned[n] = xasprintf("%.*s%s%s", (int)(brace - a), a, port, brace + sizeof(key) - 1);
	}
	args[n] = NULL;
	rc = servers_spawn(set, driver, primary->program, args, out, err, errlen);
	e = errno;
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	return rc < 0 ? fail_with(e) : 0;
}

int servers_resize(struct server *srv, const struct bench_driver *driver, const char *const *args,
		   const struct server_size *size, char *err, size_t errlen)
{
	const struct bench_server_recipe *r = NULL;
	double up_s;

	for (const struct bench_server_recipe *c = driver->servers; c && c->program && !r; c++)
		if (strcmp(c->program, srv->program) == 0)
			r = c;
	if (!r) {
		snprintf(err, errlen, "%s is not a server bench knows how to start for driver %s", srv->program,
			 driver->name);
		errno = ENOTSUP;
		return -1;
	}
	servers_stop(srv);
	free_argv(srv->argv);
	srv->argv = build_argv(r, srv->exe, srv->port, srv->dir, size, args);
	return servers_restart(srv, driver, &up_s, err, errlen);
}
