package main

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard"
)

// helloMethod is the protected method's full name.
const helloMethod = "/example.v1.Greeter/Hello"

// greeterDesc describes the Greeter service as protoc-gen-go-grpc would
// for `service Greeter { rpc Hello(google.protobuf.Empty) returns
// (google.protobuf.StringValue); }`, written out here so that the example
// needs no code generation.
var greeterDesc = grpc.ServiceDesc{
	ServiceName: "example.v1.Greeter",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Hello",
		Handler: func(_ any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			in := new(emptypb.Empty)
			if err := dec(in); err != nil {
				return nil, err
			}
			if ic == nil {
				return hello(ctx, in)
			}
			return ic(ctx, in, &grpc.UnaryServerInfo{FullMethod: helloMethod}, func(ctx context.Context, req any) (any, error) {
				return hello(ctx, req.(*emptypb.Empty))
			})
		},
	}},
}

// hello greets the caller by the subject of the token the interceptor put
// in the context.
func hello(ctx context.Context, _ *emptypb.Empty) (*wrapperspb.StringValue, error) {
	t, _ := jwtguard.FromContext(ctx) // the policy makes sure there is one
	return wrapperspb.String("Hello, " + t.Subject()), nil
}
