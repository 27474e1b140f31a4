/* fileown.h — files concviz writes under sudo belong to the invoking user. */
#ifndef CONCVIZ_FILEOWN_H
#define CONCVIZ_FILEOWN_H

/* If we run as root on behalf of SUDO_UID/SUDO_GID, chown fd to them.  Not
 * fatal when it fails: the file is still usable, just root-owned. */
void cv_give_to_sudo_user(int fd);

#endif
