package steps

import (
	"context"
	"time"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/steps/oktaremote"
)

// fakeOkta is everything the steps do to the fake Okta: the methods of
// *idpsim.Server they call, so that a scenario can drive either a fake Okta
// of its own, in process, or one already running that several scenarios
// share (oktaremote, over its HTTP API).
//
// Three methods differ from *idpsim.Server's, because over HTTP they can
// fail where in process they cannot: moving the clock (a shared fake Okta's
// clock is everyone's, so oktaremote refuses with target.ErrUnsupported, and
// the scenario is skipped naming why) and reading the last response sent (a
// request that can fail). localOkta adapts *idpsim.Server to them.
type fakeOkta interface {
	AddGroupMember(ctx context.Context, groupID, userID string) ([]idpsim.Task, error)
	Assign(ctx context.Context, appID, userID string) error
	ConfigureProvisioning(ctx context.Context, appID string, in idpsim.ProvisioningSettings) error
	CreateCatalogApp(ctx context.Context, in idpsim.CatalogAppInput) (idpsim.App, error)
	CreateGroup(ctx context.Context, name, description string) (idpsim.Group, error)
	CreateUser(ctx context.Context, in idpsim.UserInput) (idpsim.User, error)
	DashboardURL() string
	Deactivate(ctx context.Context, userID string) ([]idpsim.Task, error)
	FindGroupByName(ctx context.Context, name string) (idpsim.Group, error)
	// LastResponse returns the last response posted to the app; ok is false
	// if there has been none.
	LastResponse(ctx context.Context, appID string) (resp idpsim.SentResponse, ok bool, err error)
	PushGroup(ctx context.Context, appID, groupID string) (idpsim.PushMapping, []idpsim.Task, error)
	PushGroupNow(ctx context.Context, appID, groupID string) ([]idpsim.Task, error)
	Reactivate(ctx context.Context, userID string) ([]idpsim.Task, error)
	RemoveGroupMember(ctx context.Context, groupID, userID string) ([]idpsim.Task, error)
	RenameGroup(ctx context.Context, groupID, name string) ([]idpsim.Task, error)
	Requests(ctx context.Context, f idpsim.RequestFilter) ([]idpsim.SCIMRequest, error)
	SetFault(ctx context.Context, appID string, f idpsim.Fault) error
	SetPassword(ctx context.Context, userID, password string) ([]idpsim.Task, error)
	// SetTime freezes the fake Okta's clock at t.
	SetTime(t time.Time) error
	SignInURL() string
	Suspend(ctx context.Context, userID string) ([]idpsim.Task, error)
	Tasks(ctx context.Context, f idpsim.TaskFilter) ([]idpsim.Task, error)
	UnassignUser(ctx context.Context, appID, userID string) ([]idpsim.Task, error)
	UnlinkPushedGroup(ctx context.Context, appID, groupID string, deleteInTarget bool) ([]idpsim.Task, error)
	Unsuspend(ctx context.Context, userID string) ([]idpsim.Task, error)
	UpdateUserProfile(ctx context.Context, userID string, upd idpsim.ProfileUpdate) (idpsim.User, []idpsim.Task, error)
	// UseRealClock returns the fake Okta's clock to the real time.
	UseRealClock() error
}

var (
	_ fakeOkta = localOkta{}
	_ fakeOkta = (*oktaremote.Client)(nil)
)

// localOkta is a scenario's own in-process fake Okta. Every method but the
// three below is *idpsim.Server's own, called directly.
type localOkta struct{ *idpsim.Server }

// SetTime cannot fail in process: the clock is the scenario's alone.
func (o localOkta) SetTime(t time.Time) error {
	o.Server.SetTime(t)
	return nil
}

// UseRealClock cannot fail in process.
func (o localOkta) UseRealClock() error {
	o.Server.UseRealClock()
	return nil
}

// LastResponse reads the Server's memory, which cannot fail.
func (o localOkta) LastResponse(_ context.Context, appID string) (idpsim.SentResponse, bool, error) {
	resp, ok := o.Server.LastResponse(appID)
	return resp, ok, nil
}
