// Sending, waiting for and receiving the job's messages.
#include "mpi_messages.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace vitdse::cluster {

void send_text(int to, Tag tag, const std::string& text) {
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD);
}

bool message_waiting(int from, MPI_Status& status) {
  int flag = 0;
  MPI_Iprobe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
  return flag != 0;
}

MPI_Status wait_for_message(int from) {
  MPI_Status status{};
  Backoff backoff;
  while (!message_waiting(from, status)) backoff.idle();
  return status;
}

std::string receive(const MPI_Status& status) {
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  std::string bytes(static_cast<std::size_t>(count), '\0');
  MPI_Recv(bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return bytes;
}

void Backoff::idle() {
  std::this_thread::sleep_for(std::chrono::microseconds(wait_us_));
  wait_us_ = std::min(2 * wait_us_, 1000);
}

}  // namespace vitdse::cluster
