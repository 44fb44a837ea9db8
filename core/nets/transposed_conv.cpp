#include "nets/transposed_conv.h"

#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/torch.h>

namespace dermgan::nets {

namespace F = torch::nn::functional;

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct Geometry {
    std::vector<int64_t> stride, padding;
    int64_t groups;
};

// Output size of the transposed convolution = input size of the ordinary one.
std::vector<int64_t> transposedOutputSize(const torch::Tensor& x, const torch::Tensor& weight, const Geometry& g)
{
    std::vector<int64_t> size = {x.size(0), weight.size(1) * g.groups};
    for (int d = 0; d < 2; ++d)
        size.push_back((x.size(2 + d) - 1) * g.stride[d] - 2 * g.padding[d] + weight.size(2 + d));
    return size;
}

class OneDnnTransposedConv : public torch::autograd::Function<OneDnnTransposedConv> {
public:
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                                 std::vector<int64_t> stride, std::vector<int64_t> padding, int64_t groups)
    {
        ctx->save_for_backward({x, weight});
        ctx->saved_data["stride"] = stride;
        ctx->saved_data["padding"] = padding;
        ctx->saved_data["groups"] = groups;
        const Geometry g{stride, padding, groups};
        // Only the shape (and memory format) of this tensor is read: its pages are never touched.
        const auto outputShape = torch::empty(transposedOutputSize(x, weight, g),
                                              x.options().memory_format(x.suggest_memory_format()));
        return std::get<0>(at::convolution_backward(x, outputShape, weight, c10::nullopt, stride, padding, {1, 1},
                                                    false, {0, 0}, groups, {true, false, false}));
    }

    static variable_list backward(AutogradContext* ctx, variable_list gradients)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const auto& weight = saved[1];
        const Geometry g{ctx->saved_data["stride"].toIntVector(), ctx->saved_data["padding"].toIntVector(),
                         ctx->saved_data["groups"].toInt()};
        const auto& grad = gradients[0];
        torch::Tensor gradX, gradWeight;
        const auto convOptions = F::Conv2dFuncOptions().stride(g.stride).padding(g.padding).groups(g.groups);
        if (ctx->needs_input_grad(0))
            gradX = F::conv2d(grad, weight, convOptions);  // differentiable, as a second derivative needs
        if (ctx->needs_input_grad(1)) {
            if (torch::GradMode::is_enabled()) {
                // A gradient of this gradient is wanted (path-length regularisation): the weight gradient is
                // that of <conv2d(grad, w), x> for a stand-in w, bilinear in grad and x, which keep their graphs.
                const auto standIn = weight.detach().requires_grad_(true);
                gradWeight =
                    torch::autograd::grad({F::conv2d(grad, standIn, convOptions)}, {standIn}, {x}, true, true)[0];
            } else {
                gradWeight = std::get<1>(at::convolution_backward(x, grad, weight, c10::nullopt, g.stride,
                                                                  g.padding, {1, 1}, false, {0, 0}, g.groups,
                                                                  {false, true, false}));
            }
        }
        return {gradX, gradWeight, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor transposedConv2d(const torch::Tensor& x, const torch::Tensor& weight, std::array<int64_t, 2> stride,
                               std::array<int64_t, 2> padding, int64_t groups)
{
    // The TorchScript tracer (dermgan export) cannot record a custom function: it gets the plain operator.
    if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat32 || torch::jit::tracer::isTracing())
        return F::conv_transpose2d(x, weight, F::ConvTranspose2dFuncOptions()
                                                  .stride({stride[0], stride[1]})
                                                  .padding({padding[0], padding[1]})
                                                  .groups(groups));
    return OneDnnTransposedConv::apply(x, weight, std::vector<int64_t>{stride[0], stride[1]},
                                       std::vector<int64_t>{padding[0], padding[1]}, groups);
}

} // namespace dermgan::nets
