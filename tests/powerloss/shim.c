/*
 * LD_PRELOAD shim for the power-loss test (tests/powerloss/powerloss_test.ts).
 *
 * Interposes libc's file-modifying calls and appends every one that touches
 * the broker's data directory (PL_DATA_DIR) to a binary journal (PL_JOURNAL),
 * with a sequence number, CLOCK_MONOTONIC time and, for writes, the bytes
 * written. The test replays the journal to build the disk images a power cut
 * could leave. Deno is a dynamically linked Rust binary whose std::fs goes
 * through these libc symbols (open64, pwrite64, write, fdatasync, rename...),
 * so interposition sees all of its file I/O. Calls the model cannot replay
 * (hard links, copy_file_range, sendfile/splice into a data file, raw
 * syscall() writes) are journaled as UNSUPPORTED so the test fails loudly if
 * the broker ever starts using them, instead of silently missing writes.
 *
 * Record layout (little endian): u64 seq, u64 time_ns, u32 op, i32 fd,
 * i64 a, i64 b, u32 path1_len, u32 path2_len, path1, path2, then for WRITE
 * `b` bytes of data. Meanings of a/b per op are in journal.ts.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum {
  OP_OPEN = 1,
  OP_WRITE = 2,
  OP_SYNC_START = 3,
  OP_SYNC_END = 4,
  OP_RENAME = 5,
  OP_UNLINK = 6,
  OP_MKDIR = 7,
  OP_RMDIR = 8,
  OP_TRUNCATE = 9,
  OP_CLOSE = 10,
  OP_UNSUPPORTED = 11,
  OP_DUP = 12,
};

#define MAX_FDS 65536

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int journal_fd = -1;
static char data_dir[PATH_MAX];
static size_t data_dir_len;
static uint64_t next_seq = 1;
static unsigned char tracked[MAX_FDS];

#define REAL(name, ret, ...)                                 \
  static ret (*real_##name)(__VA_ARGS__);                    \
  static ret (*get_##name(void))(__VA_ARGS__) {              \
    if (!real_##name) real_##name = dlsym(RTLD_NEXT, #name); \
    return real_##name;                                      \
  }

REAL(open, int, const char *, int, ...)
REAL(open64, int, const char *, int, ...)
REAL(openat, int, int, const char *, int, ...)
REAL(openat64, int, int, const char *, int, ...)
REAL(creat, int, const char *, mode_t)
REAL(close, int, int)
REAL(write, ssize_t, int, const void *, size_t)
REAL(pwrite, ssize_t, int, const void *, size_t, off_t)
REAL(pwrite64, ssize_t, int, const void *, size_t, off64_t)
REAL(writev, ssize_t, int, const struct iovec *, int)
REAL(pwritev, ssize_t, int, const struct iovec *, int, off_t)
REAL(pwritev64, ssize_t, int, const struct iovec *, int, off64_t)
REAL(fsync, int, int)
REAL(fdatasync, int, int)
REAL(sync_file_range, int, int, off64_t, off64_t, unsigned int)
REAL(rename, int, const char *, const char *)
REAL(renameat, int, int, const char *, int, const char *)
REAL(renameat2, int, int, const char *, int, const char *, unsigned int)
REAL(unlink, int, const char *)
REAL(unlinkat, int, int, const char *, int)
REAL(rmdir, int, const char *)
REAL(mkdir, int, const char *, mode_t)
REAL(mkdirat, int, int, const char *, mode_t)
REAL(ftruncate, int, int, off_t)
REAL(ftruncate64, int, int, off64_t)
REAL(truncate, int, const char *, off_t)
REAL(linkat, int, int, const char *, int, const char *, int)
REAL(link, int, const char *, const char *)
REAL(copy_file_range, ssize_t, int, off64_t *, int, off64_t *, size_t, unsigned int)
REAL(sendfile64, ssize_t, int, int, off64_t *, size_t)
REAL(splice, ssize_t, int, off64_t *, int, off64_t *, size_t, unsigned int)
REAL(syscall, long, long, ...)
REAL(dup, int, int)
REAL(dup2, int, int, int)
REAL(dup3, int, int, int, int)
REAL(fcntl, int, int, int, ...)

static void init(void) {
  const char *dir = getenv("PL_DATA_DIR");
  const char *journal = getenv("PL_JOURNAL");
  if (!dir || !journal) return;
  if (!realpath(dir, data_dir)) return;
  data_dir_len = strlen(data_dir);
  int (*o)(const char *, int, ...) = get_open64();
  journal_fd = o(journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

static int active(void) {
  pthread_once(&once, init);
  return journal_fd >= 0;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Absolute form of `path` relative to `dirfd` (AT_FDCWD = the working directory); 0 on failure. */
static int resolve(int dirfd, const char *path, char *out) {
  if (!path) return 0;
  if (path[0] == '/') {
    snprintf(out, PATH_MAX, "%s", path);
    return 1;
  }
  char base[PATH_MAX];
  if (dirfd == AT_FDCWD) {
    if (!getcwd(base, sizeof base)) return 0;
  } else {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
    ssize_t n = readlink(link, base, sizeof base - 1);
    if (n < 0) return 0;
    base[n] = 0;
  }
  snprintf(out, PATH_MAX, "%s/%s", base, path);
  return 1;
}

static int under_data_dir(const char *abs) {
  return strncmp(abs, data_dir, data_dir_len) == 0 && (abs[data_dir_len] == '/' || abs[data_dir_len] == 0);
}

static int is_tracked(int fd) {
  return fd >= 0 && fd < MAX_FDS && tracked[fd];
}

/* Appends one record; the caller holds `lock` so sequence numbers follow the order of the records. */
static uint64_t emit(uint32_t op, int32_t fd, int64_t a, int64_t b, const char *p1, const char *p2,
                     const struct iovec *data, int data_count) {
  uint32_t l1 = p1 ? (uint32_t)strlen(p1) : 0, l2 = p2 ? (uint32_t)strlen(p2) : 0;
  unsigned char head[48];
  uint64_t seq = next_seq++, t = now_ns();
  memcpy(head, &seq, 8);
  memcpy(head + 8, &t, 8);
  memcpy(head + 16, &op, 4);
  memcpy(head + 20, &fd, 4);
  memcpy(head + 24, &a, 8);
  memcpy(head + 32, &b, 8);
  memcpy(head + 40, &l1, 4);
  memcpy(head + 44, &l2, 4);
  struct iovec v[3 + 64];
  int n = 0;
  v[n++] = (struct iovec){head, sizeof head};
  if (l1) v[n++] = (struct iovec){(void *)p1, l1};
  if (l2) v[n++] = (struct iovec){(void *)p2, l2};
  size_t total = sizeof head + l1 + l2;
  for (int i = 0; i < data_count && n < (int)(sizeof v / sizeof v[0]); i++) {
    v[n++] = data[i];
    total += data[i].iov_len;
  }
  /* Retry short writes by writing the rest as one buffer. */
  ssize_t w = get_writev()(journal_fd, v, n);
  if (w >= 0 && (size_t)w < total) {
    char *flat = malloc(total), *at = flat;
    for (int i = 0; i < n; i++) at = (char *)memcpy(at, v[i].iov_base, v[i].iov_len) + v[i].iov_len;
    size_t done = (size_t)w;
    while (done < total) {
      ssize_t k = get_write()(journal_fd, flat + done, total - done);
      if (k <= 0) break;
      done += (size_t)k;
    }
    free(flat);
  }
  return seq;
}

static void log_path_op(uint32_t op, int dirfd1, const char *p1, int dirfd2, const char *p2) {
  char a[PATH_MAX], b[PATH_MAX];
  if (!resolve(dirfd1, p1, a)) return;
  if (p2 && !resolve(dirfd2, p2, b)) return;
  if (!under_data_dir(a) && !(p2 && under_data_dir(b))) return;
  pthread_mutex_lock(&lock);
  emit(op, -1, 0, 0, a, p2 ? b : NULL, NULL, 0);
  pthread_mutex_unlock(&lock);
}

static int after_open(int fd, int dirfd, const char *path, int flags) {
  if (fd < 0 || !active()) return fd;
  char abs[PATH_MAX];
  int in = resolve(dirfd, path, abs) && under_data_dir(abs);
  if (fd < MAX_FDS) tracked[fd] = (unsigned char)in;
  if (in) {
    struct stat st;
    int is_dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    pthread_mutex_lock(&lock);
    emit(OP_OPEN, fd, flags, is_dir, abs, NULL, NULL, 0);
    pthread_mutex_unlock(&lock);
  }
  return fd;
}

#define OPEN_MODE(flags, mode)          \
  mode_t mode = 0;                      \
  if ((flags) & (O_CREAT | O_TMPFILE)) { \
    va_list ap;                         \
    va_start(ap, flags);                \
    mode = va_arg(ap, mode_t);          \
    va_end(ap);                         \
  }

int open(const char *path, int flags, ...) {
  OPEN_MODE(flags, mode);
  return after_open(get_open()(path, flags, mode), AT_FDCWD, path, flags);
}
int open64(const char *path, int flags, ...) {
  OPEN_MODE(flags, mode);
  return after_open(get_open64()(path, flags, mode), AT_FDCWD, path, flags);
}
int openat(int dirfd, const char *path, int flags, ...) {
  OPEN_MODE(flags, mode);
  return after_open(get_openat()(dirfd, path, flags, mode), dirfd, path, flags);
}
int openat64(int dirfd, const char *path, int flags, ...) {
  OPEN_MODE(flags, mode);
  return after_open(get_openat64()(dirfd, path, flags, mode), dirfd, path, flags);
}
int creat(const char *path, mode_t mode) {
  return after_open(get_creat()(path, mode), AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC);
}

int close(int fd) {
  int was = active() && is_tracked(fd);
  if (was) {
    pthread_mutex_lock(&lock);
    tracked[fd] = 0;
    emit(OP_CLOSE, fd, 0, 0, NULL, NULL, NULL, 0);
    pthread_mutex_unlock(&lock);
  }
  return get_close()(fd);
}

/*
 * Deno clones a file's fd (fcntl F_DUPFD_CLOEXEC) to run an async fdatasync on a blocking thread:
 * the copy refers to the same open file, so it is tracked and journaled as a DUP of the original.
 */
static int after_dup(int old, int fd) {
  if (fd < 0 || !active() || fd >= MAX_FDS) return fd;
  pthread_mutex_lock(&lock);
  if (tracked[fd]) emit(OP_CLOSE, fd, 0, 0, NULL, NULL, NULL, 0); /* dup2/dup3 closed it */
  tracked[fd] = (unsigned char)is_tracked(old);
  if (tracked[fd]) emit(OP_DUP, fd, old, 0, NULL, NULL, NULL, 0);
  pthread_mutex_unlock(&lock);
  return fd;
}
int dup(int old) {
  return after_dup(old, get_dup()(old));
}
int dup2(int old, int fd) {
  return old == fd ? get_dup2()(old, fd) : after_dup(old, get_dup2()(old, fd));
}
int dup3(int old, int fd, int flags) {
  return after_dup(old, get_dup3()(old, fd, flags));
}
int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  long arg = va_arg(ap, long);
  va_end(ap);
  int r = get_fcntl()(fd, cmd, arg);
  if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) return after_dup(fd, r);
  return r;
}

/* Writes to tracked fds run under the lock so the journaled offset and order match what happened. */
static ssize_t tracked_write(int fd, const struct iovec *iov, int count, off64_t at, int positional) {
  pthread_mutex_lock(&lock);
  ssize_t n = positional ? get_pwritev64()(fd, iov, count, at) : get_writev()(fd, iov, count);
  int err = errno;
  if (n > 0) {
    off64_t offset = positional ? at : lseek64(fd, 0, SEEK_CUR) - n;
    struct iovec data[64];
    int k = 0;
    size_t left = (size_t)n;
    for (int i = 0; i < count && left > 0 && k < 64; i++) {
      size_t take = iov[i].iov_len < left ? iov[i].iov_len : left;
      data[k++] = (struct iovec){iov[i].iov_base, take};
      left -= take;
    }
    emit(OP_WRITE, fd, offset, n, NULL, NULL, data, k);
  }
  pthread_mutex_unlock(&lock);
  errno = err;
  return n;
}

ssize_t write(int fd, const void *buf, size_t len) {
  if (!active() || !is_tracked(fd)) return get_write()(fd, buf, len);
  struct iovec v = {(void *)buf, len};
  return tracked_write(fd, &v, 1, 0, 0);
}
ssize_t pwrite(int fd, const void *buf, size_t len, off_t at) {
  if (!active() || !is_tracked(fd)) return get_pwrite()(fd, buf, len, at);
  struct iovec v = {(void *)buf, len};
  return tracked_write(fd, &v, 1, at, 1);
}
ssize_t pwrite64(int fd, const void *buf, size_t len, off64_t at) {
  if (!active() || !is_tracked(fd)) return get_pwrite64()(fd, buf, len, at);
  struct iovec v = {(void *)buf, len};
  return tracked_write(fd, &v, 1, at, 1);
}
ssize_t writev(int fd, const struct iovec *iov, int count) {
  if (!active() || !is_tracked(fd) || count > 64) return get_writev()(fd, iov, count);
  return tracked_write(fd, iov, count, 0, 0);
}
ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t at) {
  if (!active() || !is_tracked(fd) || count > 64) return get_pwritev()(fd, iov, count, at);
  return tracked_write(fd, iov, count, at, 1);
}
ssize_t pwritev64(int fd, const struct iovec *iov, int count, off64_t at) {
  if (!active() || !is_tracked(fd) || count > 64) return get_pwritev64()(fd, iov, count, at);
  return tracked_write(fd, iov, count, at, 1);
}

/* A sync covers what was written before it started and is only known done when it returns: two records. */
static int tracked_sync(int fd, int kind, int (*call)(int)) {
  if (!active() || !is_tracked(fd)) return call(fd);
  pthread_mutex_lock(&lock);
  uint64_t start = emit(OP_SYNC_START, fd, kind, 0, NULL, NULL, NULL, 0);
  pthread_mutex_unlock(&lock);
  int r = call(fd);
  int err = errno;
  pthread_mutex_lock(&lock);
  emit(OP_SYNC_END, fd, (int64_t)start, r, NULL, NULL, NULL, 0);
  pthread_mutex_unlock(&lock);
  errno = err;
  return r;
}
int fsync(int fd) {
  return tracked_sync(fd, 0, get_fsync());
}
int fdatasync(int fd) {
  return tracked_sync(fd, 1, get_fdatasync());
}
int sync_file_range(int fd, off64_t at, off64_t len, unsigned int flags) {
  /* Starts writeback only; it makes nothing durable, so the model ignores it (journaled for the record). */
  int r = get_sync_file_range()(fd, at, len, flags);
  if (r == 0 && active() && is_tracked(fd)) {
    pthread_mutex_lock(&lock);
    emit(OP_SYNC_START, fd, 2, 0, NULL, NULL, NULL, 0);
    pthread_mutex_unlock(&lock);
  }
  return r;
}

static int truncate_fd(int fd, off64_t len, int r) {
  if (r == 0 && active() && is_tracked(fd)) {
    pthread_mutex_lock(&lock);
    emit(OP_TRUNCATE, fd, len, 0, NULL, NULL, NULL, 0);
    pthread_mutex_unlock(&lock);
  }
  return r;
}
int ftruncate(int fd, off_t len) {
  return truncate_fd(fd, len, get_ftruncate()(fd, len));
}
int ftruncate64(int fd, off64_t len) {
  return truncate_fd(fd, len, get_ftruncate64()(fd, len));
}
int truncate(const char *path, off_t len) {
  int r = get_truncate()(path, len);
  if (r == 0 && active()) log_path_op(OP_UNSUPPORTED, AT_FDCWD, path, 0, NULL);
  return r;
}

int rename(const char *from, const char *to) {
  int r = get_rename()(from, to);
  if (r == 0 && active()) log_path_op(OP_RENAME, AT_FDCWD, from, AT_FDCWD, to);
  return r;
}
int renameat(int fd1, const char *from, int fd2, const char *to) {
  int r = get_renameat()(fd1, from, fd2, to);
  if (r == 0 && active()) log_path_op(OP_RENAME, fd1, from, fd2, to);
  return r;
}
int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned int flags) {
  int r = get_renameat2()(fd1, from, fd2, to, flags);
  if (r == 0 && active()) log_path_op(flags ? OP_UNSUPPORTED : OP_RENAME, fd1, from, fd2, to);
  return r;
}
int unlink(const char *path) {
  int r = get_unlink()(path);
  if (r == 0 && active()) log_path_op(OP_UNLINK, AT_FDCWD, path, 0, NULL);
  return r;
}
int unlinkat(int dirfd, const char *path, int flags) {
  int r = get_unlinkat()(dirfd, path, flags);
  if (r == 0 && active()) log_path_op(flags & AT_REMOVEDIR ? OP_RMDIR : OP_UNLINK, dirfd, path, 0, NULL);
  return r;
}
int rmdir(const char *path) {
  int r = get_rmdir()(path);
  if (r == 0 && active()) log_path_op(OP_RMDIR, AT_FDCWD, path, 0, NULL);
  return r;
}
int mkdir(const char *path, mode_t mode) {
  int r = get_mkdir()(path, mode);
  if (r == 0 && active()) log_path_op(OP_MKDIR, AT_FDCWD, path, 0, NULL);
  return r;
}
int mkdirat(int dirfd, const char *path, mode_t mode) {
  int r = get_mkdirat()(dirfd, path, mode);
  if (r == 0 && active()) log_path_op(OP_MKDIR, dirfd, path, 0, NULL);
  return r;
}

/* Calls the replay cannot model: journaled as UNSUPPORTED when they touch the data dir. */
int link(const char *from, const char *to) {
  int r = get_link()(from, to);
  if (r == 0 && active()) log_path_op(OP_UNSUPPORTED, AT_FDCWD, from, AT_FDCWD, to);
  return r;
}
int linkat(int fd1, const char *from, int fd2, const char *to, int flags) {
  int r = get_linkat()(fd1, from, fd2, to, flags);
  if (r == 0 && active()) log_path_op(OP_UNSUPPORTED, fd1, from, fd2, to);
  return r;
}
static void unsupported_fd(int fd) {
  if (active() && is_tracked(fd)) {
    pthread_mutex_lock(&lock);
    emit(OP_UNSUPPORTED, fd, 0, 0, NULL, NULL, NULL, 0);
    pthread_mutex_unlock(&lock);
  }
}
ssize_t copy_file_range(int in, off64_t *in_at, int out, off64_t *out_at, size_t len, unsigned int flags) {
  unsupported_fd(out);
  return get_copy_file_range()(in, in_at, out, out_at, len, flags);
}
ssize_t sendfile64(int out, int in, off64_t *at, size_t len) {
  unsupported_fd(out);
  return get_sendfile64()(out, in, at, len);
}
ssize_t splice(int in, off64_t *in_at, int out, off64_t *out_at, size_t len, unsigned int flags) {
  unsupported_fd(out);
  return get_splice()(in, in_at, out, out_at, len, flags);
}

/* Rust's std reaches a few calls through syscall(); flag any that could modify a data file. */
long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  switch (number) {
    case SYS_write:
    case SYS_pwrite64:
    case SYS_writev:
    case SYS_pwritev:
    case SYS_pwritev2:
    case SYS_fsync:
    case SYS_fdatasync:
    case SYS_ftruncate:
    case SYS_fallocate:
      unsupported_fd((int)a[0]);
      break;
    case SYS_copy_file_range:
      unsupported_fd((int)a[2]);
      break;
    case SYS_renameat2:
    case SYS_openat:
    case SYS_unlinkat:
    case SYS_mkdirat:
      if (active()) log_path_op(OP_UNSUPPORTED, (int)a[0], (const char *)a[1], 0, NULL);
      break;
  }
  return get_syscall()(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
