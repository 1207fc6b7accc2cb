#include "vta/common/owner_only.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vta {

namespace {

constexpr mode_t owner_only_folder = 0700;
constexpr mode_t owner_only_file = 0600;

Error io_error(const std::string& doing, const std::filesystem::path& path, int error_number) {
    return Error(Errc::io, "cannot " + doing + " " + path.string() + ": " + std::strerror(error_number));
}

}  // namespace

VoidResult create_owner_only_folders(const std::filesystem::path& folder) {
    if (folder.empty()) return {};
    std::error_code ec;
    if (std::filesystem::is_directory(folder, ec)) return {};
    if (folder.has_parent_path() && folder.parent_path() != folder)
        if (auto parent = create_owner_only_folders(folder.parent_path()); !parent) return parent;
    if (::mkdir(folder.c_str(), owner_only_folder) != 0) {
        if (errno == EEXIST && std::filesystem::is_directory(folder, ec)) return {};  // made by someone else meanwhile
        return io_error("create the folder", folder, errno);
    }
    if (::chmod(folder.c_str(), owner_only_folder) != 0) return io_error("restrict the folder", folder, errno);
    return {};
}

VoidResult create_owner_only_file(const std::filesystem::path& file) {
    if (file.has_parent_path())
        if (auto folder = create_owner_only_folders(file.parent_path()); !folder) return folder;
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, owner_only_file);
    if (fd < 0) {
        if (errno == EEXIST) return {};
        return io_error("create", file, errno);
    }
    const bool restricted = ::fchmod(fd, owner_only_file) == 0;
    const int saved = errno;
    ::close(fd);
    if (!restricted) return io_error("restrict", file, saved);
    return {};
}

VoidResult write_owner_only_file(const std::filesystem::path& file, std::string_view content) {
    if (file.has_parent_path())
        if (auto folder = create_owner_only_folders(file.parent_path()); !folder) return folder;
    const std::filesystem::path temporary = file.string() + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, owner_only_file);
    if (fd < 0) return io_error("write", temporary, errno);
    bool ok = ::fchmod(fd, owner_only_file) == 0;
    for (std::size_t done = 0; ok && done < content.size();) {
        const auto n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += std::size_t(n);
    }
    ok = ::fsync(fd) == 0 && ok;
    const int saved = errno;
    ::close(fd);
    if (!ok || std::rename(temporary.c_str(), file.c_str()) != 0) {
        const int reason = ok ? errno : saved;
        ::unlink(temporary.c_str());
        return io_error("write", file, reason);
    }
    return {};
}

}  // namespace vta
