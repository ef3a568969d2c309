package oktaremote

import "time"

// SetSettleTimeout shortens the wait for provisioning tasks, so that a test
// sees it run out without waiting SettleTimeout.
func SetSettleTimeout(c *Client, d time.Duration) { c.settle = d }
