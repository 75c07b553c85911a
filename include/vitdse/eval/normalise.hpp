// Model inputs from dataset images: the shape check against the card and per-channel normalisation.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "vitdse/eval/dataset.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval {

/// Throws a one-line Error if `data` cannot feed `card`: its channels must equal in_chans, its
/// images must be img_size x img_size, and its labels must fit the card's num_classes.
void check_dataset_fits(const Dataset& data, const model::ModelCard& card);

/// Writes images `indices` of `data` to `out` as a [B, C, H, W] batch, B = indices.size(), each
/// pixel normalised per channel as (x - card.mean[c]) / card.std[c]. Checks the fit first;
/// `out` must hold B * data.image_size() floats and indices must be in range.
///
///     std::vector<float> batch(idx.size() * data.image_size());
///     normalise_batch(data, card, idx, batch);
void normalise_batch(const Dataset& data, const model::ModelCard& card, std::span<const std::size_t> indices,
                     std::span<float> out);

/// The same, returning a new batch.
std::vector<float> normalised_batch(const Dataset& data, const model::ModelCard& card,
                                    std::span<const std::size_t> indices);
/// Every image of `data`, normalised, as one batch.
std::vector<float> normalised_batch(const Dataset& data, const model::ModelCard& card);

}  // namespace vitdse::eval
