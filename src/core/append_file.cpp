// AppendFile: O_APPEND writes of whole texts, every failure an Error naming the file.
#include "vitdse/core/append_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "file_io_detail.hpp"

namespace vitdse {

AppendFile::AppendFile(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd_ < 0) throw detail::os_error(path_, "open for appending", errno);
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

void AppendFile::append(std::string_view text) { detail::write_all(fd_, text, path_); }

}  // namespace vitdse
