// A rank other than 0: builds the stacks rank 0 describes and scores the designs it sends.
#pragma once

namespace vitdse::cluster {

/// Serves rank 0 until it sends kStop; the exit status.
int serve_rank_zero();

}  // namespace vitdse::cluster
