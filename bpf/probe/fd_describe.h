// SPDX-License-Identifier: GPL-2.0
/* bpf/probe/fd_describe.h — What a descriptor names (CV_EV_FD), read while the
 * object exists.  A part of concviz.bpf.c, included once there, after the parts
 * it uses. */

/* (pid, fd) -> the inode it named at its last CV_EV_FD: a descriptor is
 * described once, and again only when its number names another object. */
struct fd_key {
	__u32 pid, fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fd_key);
	__type(value, __u64);
} fdseen SEC(".maps");

/* read(2) is a receive when the fd is a socket, a pipe or a FIFO: look the
 * file up in the thread's fd table (only for traced threads, a handful of
 * loads).  Its inode's file type: S_IFSOCK, S_IFIFO (pipes and FIFOs), 0 unknown. */
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFIFO 0010000
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* The file fd names, as a BTF pointer (plain loads from it), or 0.  The
 * table's slot is the one probe read: an array of pointers is no BTF type. */
static __always_inline struct file *fd_file(unsigned long fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct files_struct *files = t->files;
	struct fdtable *fdt = files ? files->fdt : 0;
	struct file **fds, *f = 0;

	if (!fdt || fd >= fdt->max_fds)
		return 0;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return 0;
	return bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
}

static __always_inline __u32 file_type(struct file *f)
{
	return f ? f->f_inode->i_mode & S_IFMT : 0;
}

#define PIPEFS_MAGIC 0x50495045
#define MQUEUE_MAGIC 0x19800202
#define CV_AF_INET 2
#define CV_AF_INET6 10
#define CV_AF_UNIX 1
#define CV_IPPROTO_TCP 6
#define CV_IPPROTO_UDP 17

/* the start of a file's name (its dentry's), for a FIFO or a queue */
static __always_inline void fd_dentry_name(struct cv_event *e, struct file *f)
{
	const unsigned char *name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	__u32 len = BPF_CORE_READ(f, f_path.dentry, d_name.len);
	long n = bpf_probe_read_kernel_str(e->fd.name, sizeof(e->fd.name), name);

	e->fd.name_len = n > 0 ? n - 1 : 0;
	if (len > e->fd.name_len)
		e->flags |= CV_FD_NAME_TRUNC;
}

/* a UNIX socket's address, or its peer's when it has none */
static __always_inline void fd_unix_name(struct cv_event *e, struct sock *sk)
{
	struct unix_address *a = BPF_CORE_READ((struct unix_sock *)sk, addr);
	int len;

	if (!a) {
		struct sock *peer = BPF_CORE_READ((struct unix_sock *)sk, peer);

		if (!peer || !(a = BPF_CORE_READ((struct unix_sock *)peer, addr)))
			return;
		e->flags |= CV_FD_NAME_PEER;
	}
	len = BPF_CORE_READ(a, len) - 2; /* less sun_family */
	if (len <= 0)
		return;
	if (len > (int)sizeof(e->fd.name)) {
		len = sizeof(e->fd.name);
		e->flags |= CV_FD_NAME_TRUNC;
	}
	bpf_core_read(e->fd.name, sizeof(e->fd.name), &a->name[0].sun_path);
	e->fd.name_len = len;
}

static __always_inline void fd_socket(struct cv_event *e, struct file *f)
{
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u16 fam, proto;

	if (!sk)
		return;
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->fd.family = fam;
	e->fd.kind = CV_FD_SOCKET;
	if (fam == CV_AF_UNIX) {
		e->fd.kind = CV_FD_UNIX;
		fd_unix_name(e, sk);
	} else if (fam == CV_AF_INET || fam == CV_AF_INET6) {
		proto = BPF_CORE_READ(sk, sk_protocol);
		if (proto != CV_IPPROTO_TCP && proto != CV_IPPROTO_UDP)
			return;
		e->fd.kind = proto == CV_IPPROTO_TCP ? CV_FD_TCP : CV_FD_UDP;
		e->fd.inet.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		e->fd.inet.rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (fam == CV_AF_INET) {
			__u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
			__u32 r = BPF_CORE_READ(sk, __sk_common.skc_daddr);

			__builtin_memcpy(e->fd.inet.laddr, &l, 4);
			__builtin_memcpy(e->fd.inet.raddr, &r, 4);
		}
	}
}

/* Counts the descriptions that replaced another (an fd named another inode
 * since): user space then forgets the old one if nothing showed it, and a
 * thread's memory of what was described (task_state.desc_*) is void. */
__u64 fd_desc_gen;

/* CV_EV_FD: what fd names, the first time it is used since it named another
 * inode (sockets' addresses vanish with them: read them while they exist).
 * Returns whether user space has it described (now or before). */
static __always_inline bool fd_describe(__u32 sys, unsigned long fd, struct file *f, __u64 ino)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct fd_key k = { .pid = id >> 32, .fd = fd };
	__u64 *seen = bpf_map_lookup_elem(&fdseen, &k);
	struct cv_event *e;
	__u32 mode;
	__u64 magic;

	if (!f)
		return false;
	if (seen && *seen == ino)
		return true;
	if (seen)
		__sync_fetch_and_add(&fd_desc_gen, 1);
	e = reserve_current(CV_EV_FD);
	if (!e)
		return false; /* counted as a drop; the next receive on it tries again */
	bpf_map_update_elem(&fdseen, &k, &ino, BPF_ANY);
	e->fd.ino = ino;
	e->fd.fd = fd;
	mode = file_type(f);
	magic = f->f_inode->i_sb->s_magic;
	/* a queue by its file system: one a multiplexer returned ready is one too */
	if (sys == CV_SYS_MQ_TIMEDRECEIVE || magic == MQUEUE_MAGIC) {
		e->fd.kind = CV_FD_MQ;
		fd_dentry_name(e, f);
	} else if (mode == S_IFIFO) {
		if (magic == PIPEFS_MAGIC) {
			e->fd.kind = CV_FD_PIPE;
		} else {
			e->fd.kind = CV_FD_FIFO;
			fd_dentry_name(e, f);
		}
	} else if (mode == S_IFSOCK) {
		fd_socket(e, f);
	}
	submit(e);
	return true;
}
