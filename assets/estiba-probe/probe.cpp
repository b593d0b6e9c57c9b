// estiba-probe: what a process sees of itself inside a container.
//
// Estiba copies this static binary into a container created with the options being compared
// (through the Engine API's archive upload, before the container starts) and runs it instead of
// the image's command. It reads only its own /proc/self/status and the container's files, so it
// works in `scratch` images, with any user, and wherever the engine runs (a VM, a remote host).
// Output: one `key=value` line per fact.
#include <grp.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

// Names from a passwd/group style file: id -> name (field 0 and 2).
std::map<long, std::string> names(const char* path) {
    std::map<long, std::string> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        std::string part;
        while (std::getline(ss, part, ':')) f.push_back(part);
        if (f.size() > 2) {
            try {
                out.emplace(std::stol(f[2]), f[0]);
            } catch (...) {
            }
        }
    }
    return out;
}

std::string with_name(long id, const std::map<long, std::string>& table) {
    auto it = table.find(id);
    return it == table.end() ? std::to_string(id) : std::to_string(id) + "(" + it->second + ")";
}

}  // namespace

int main() {
    auto users = names("/etc/passwd");
    auto groups_table = names("/etc/group");
    long uid = static_cast<long>(getuid());
    long gid = static_cast<long>(getgid());
    std::vector<gid_t> groups(static_cast<size_t>(getgroups(0, nullptr)) + 1);
    int n = getgroups(static_cast<int>(groups.size()), groups.data());
    groups.resize(n < 0 ? 0 : static_cast<size_t>(n));
    if (groups.empty()) groups.push_back(static_cast<gid_t>(gid));

    std::string id = "uid=" + with_name(uid, users) + " gid=" + with_name(gid, groups_table) + " groups=";
    std::string list;
    for (size_t i = 0; i < groups.size(); ++i) {
        id += (i ? "," : "") + with_name(static_cast<long>(groups[i]), groups_table);
        list += (i ? "," : "") + std::to_string(groups[i]);
    }
    std::printf("uid=%ld\ngid=%ld\ngroups=%s\nid=%s\n", uid, gid, list.c_str(), id.c_str());

    struct stat st {};
    std::printf("sh=%s\n", stat("/bin/sh", &st) == 0 ? "yes" : "no");

    // How the root filesystem is mounted (what `--read-only` changes), whoever the process is: a
    // non-root user may be unable to write to / on a read-write mount, and that is not --read-only.
    struct statvfs vfs {};
    bool read_only = statvfs("/", &vfs) == 0 && (vfs.f_flag & ST_RDONLY) != 0;
    std::printf("rootfs=%s\n", read_only ? "ro" : "rw");

    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Cap", 0) == 0 || line.rfind("NoNewPrivs", 0) == 0 || line.rfind("Seccomp:", 0) == 0) {
            std::printf("%s\n", line.c_str());
        }
    }
    return 0;
}
