#pragma once
// How the synthesis network fills its per-layer noise inputs. Its own header so that plain-data users
// (explorer state, recipes) need no LibTorch headers.
namespace dermgan::nets {

enum class NoiseMode { Random, Const, None };  // fresh noise per image, the stored constants, or zeros

} // namespace dermgan::nets
