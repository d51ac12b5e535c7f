/* Toy fixture for migspec's checker tests. */
enum lamp_state {
    LAMP_BROKEN,
    LAMP_OFF,
    LAMP_ON,
    LAMP_DIMMED,
};
