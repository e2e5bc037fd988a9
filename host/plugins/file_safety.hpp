// Refusing plugin files that someone else could have planted. A plugin runs with the host's
// rights, so whoever can write the .so, or swap it in its folder, can run code as the user.
#pragma once

#include <filesystem>

namespace factory::plugins {

// Throws load_error (one line: which file or folder, its mode, and the chmod that fixes it) when
// `file` is writable by its group or by others, or when the folder holding it is writable by its
// group or by others without the sticky bit (a sticky folder such as /tmp lets only a file's owner
// rename or delete it), or when the file or its folder belongs to a user other than root and the
// one running the host. Every folder above it, up to /, is held to the same rules (owned by root
// or this user; not writable by group or others unless sticky, as /tmp is), as OpenSSH's
// StrictModes does: whoever can rename a folder on the way can put a tree of their own in its
// place. When `file` is reached through symbolic links, the real file and its real folders are
// checked as well.
void check_not_writable_by_others(const std::filesystem::path& file);

} // namespace factory::plugins
