// What rank 0 and the other ranks say to each other, over MPI's C API. Every message is bytes on
// MPI_COMM_WORLD; its tag says what it is.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "vitdse/search/score.hpp"

namespace vitdse::cluster {

enum Tag : int {
  kSetup = 1,   ///< rank 0 -> worker: SetupHeader, then a ScoringSetup's text
  kReady = 2,   ///< worker -> rank 0: SetupHeader, then the scoring context of the stack it built
  kFailed = 3,  ///< worker -> rank 0: SetupHeader (the set-up concerned), then the error that stopped it
  kDesign = 4,  ///< rank 0 -> worker: WorkHeader, then a candidate's hash, '\n', canonical JSON
  kScore = 5,   ///< worker -> rank 0: ScoreMessage
  kStop = 6,    ///< rank 0 -> worker: empty; the job is over
  kPart = 7,    ///< worker -> rank 0: PartHeader, then the piece's logits as floats
};

struct SetupHeader {
  std::uint64_t setup = 0;  ///< serial number the designs for it carry
  std::int32_t threads = 0;
  std::int32_t log_level = 0;
};

/// Identifies one piece of one design of one batch, so that a result that comes in late is
/// recognised: parts [first, last) of its score, or the whole score when both are 0.
struct WorkHeader {
  std::uint64_t setup = 0;
  std::uint64_t batch = 0;
  std::uint64_t index = 0;
  std::int32_t first = 0;
  std::int32_t last = 0;
};

struct PartHeader {
  WorkHeader work;
  double seconds = 0;
  double setup_seconds = 0;
};
static_assert(std::is_trivially_copyable_v<PartHeader>, "sent as bytes");

struct ScoreMessage {
  WorkHeader work;
  search::Score score;  ///< as the worker computed it, never recomputed
};
static_assert(std::is_trivially_copyable_v<ScoreMessage>, "sent as bytes");

/// Sends `header` followed by `text` as one message.
template <typename Header>
void send_message(int to, Tag tag, const Header& header, const std::string& text) {
  std::string bytes(sizeof header, '\0');
  std::memcpy(bytes.data(), &header, sizeof header);
  bytes += text;
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD);
}
void send_text(int to, Tag tag, const std::string& text);

/// The source and tag of the next message from `from` (MPI_ANY_SOURCE for anyone), waiting for
/// it without spinning: MPI's blocking receive polls at full speed, which would take a core from
/// the ranks that share it.
MPI_Status wait_for_message(int from);
/// Whether a message from `from` is waiting; fills `status` if so.
bool message_waiting(int from, MPI_Status& status);
/// Receives the message `status` announced, whole.
std::string receive(const MPI_Status& status);

/// Splits a received message into its fixed header and the text after it.
template <typename Header>
Header header_of(const std::string& bytes, std::string* rest = nullptr) {
  Header h{};
  if (bytes.size() >= sizeof h) std::memcpy(&h, bytes.data(), sizeof h);
  if (rest != nullptr) *rest = bytes.size() > sizeof h ? bytes.substr(sizeof h) : std::string();
  return h;
}

/// Sleeps a little longer each time nothing happened (20 us doubling to 1 ms), and not at all
/// after something did: an idle rank costs next to no CPU and a result waits at most 1 ms.
class Backoff {
 public:
  void idle();
  void reset() { wait_us_ = 20; }

 private:
  int wait_us_ = 20;
};

}  // namespace vitdse::cluster
